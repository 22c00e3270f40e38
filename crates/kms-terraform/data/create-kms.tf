# A customer managed KMS key with an alias (the seed's hands-on).
terraform {
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.0"
    }
  }
}

# Without a region, the sandbox uses the console's Region.
provider "aws" {}

variable "alias_name" {
  type    = string
  default = "my-terraform-key"
}

resource "aws_kms_key" "example" {
  description             = "KMS key created with Terraform"
  deletion_window_in_days = 7
  enable_key_rotation     = true

  tags = {
    Environment = "dev"
  }
}

resource "aws_kms_alias" "example" {
  name          = "alias/${var.alias_name}"
  target_key_id = aws_kms_key.example.key_id
}

output "key_arn" {
  value = aws_kms_key.example.arn
}

output "key_id" {
  value = aws_kms_key.example.key_id
}
