terraform {
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.0"
    }
  }
}

provider "aws" {
  region = var.region
}

variable "region" {
  type    = string
  default = "ap-southeast-2"
}

variable "alias_name" {
  type        = string
  default     = "my-terraform-key"
  description = "The alias, without alias/"
}

locals {
  tags = {
    Environment = "dev"
    ManagedBy   = "terraform"
  }
}

resource "aws_kms_key" "example" {
  description             = "KMS key created with Terraform"
  deletion_window_in_days = 7
  enable_key_rotation     = true
  tags                    = local.tags
}

resource "aws_kms_alias" "example" {
  name          = "alias/${var.alias_name}"
  target_key_id = aws_kms_key.example.key_id
}

output "key_arn" {
  value = aws_kms_key.example.arn
}

output "alias_arn" {
  value = aws_kms_alias.example.arn
}
