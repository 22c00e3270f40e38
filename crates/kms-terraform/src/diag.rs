//! Terraform's diagnostics, printed in its box: `╷ │ Error: ... ╵`, with the source line.

/// Where something was written: a file and a 1-based line.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Pos {
    pub file: String,
    pub line: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Diagnostic {
    pub summary: String,
    pub detail: String,
    pub pos: Option<Pos>,
    /// `in resource "aws_kms_key" "a"`.
    pub context: Option<String>,
    /// `with aws_kms_key.a,` (the provider's diagnostics).
    pub with: Option<String>,
    /// A warning, not an error: Terraform prints it to stdout.
    pub warning: bool,
}

impl Diagnostic {
    pub fn error(summary: impl Into<String>, detail: impl Into<String>) -> Diagnostic {
        Diagnostic {
            summary: summary.into(),
            detail: detail.into(),
            pos: None,
            context: None,
            with: None,
            warning: false,
        }
    }

    pub fn warning(summary: impl Into<String>, detail: impl Into<String>) -> Diagnostic {
        Diagnostic {
            warning: true,
            ..Diagnostic::error(summary, detail)
        }
    }

    pub fn at(mut self, pos: Pos, context: Option<String>) -> Diagnostic {
        self.pos = Some(pos);
        self.context = context;
        self
    }

    /// The box Terraform prints, with the line of `files` it points at.
    pub fn render(&self, files: &[(String, String)]) -> String {
        let severity = if self.warning { "Warning" } else { "Error" };
        let mut lines = vec![format!("{severity}: {}", self.summary), String::new()];
        if let Some(w) = &self.with {
            lines.push(format!("  with {w},"));
        }
        if let Some(pos) = &self.pos {
            let ctx = self
                .context
                .as_ref()
                .map(|c| format!(", {c}"))
                .unwrap_or_default();
            lines.push(format!("  on {} line {}{ctx}:", pos.file, pos.line));
            let src = files
                .iter()
                .find(|(f, _)| *f == pos.file)
                .and_then(|(_, t)| t.lines().nth(pos.line.saturating_sub(1)))
                .unwrap_or("");
            lines.push(format!("{:>4}: {}", pos.line, src.trim_end()));
            lines.push(String::new());
        }
        if !self.detail.is_empty() {
            // Wrapped as Terraform wraps it when its output is not a terminal: 78 columns less
            // the box's rule.
            lines.extend(self.detail.lines().flat_map(|l| wrap(l, 75)));
        }
        let mut out = String::from("╷\n");
        for l in lines {
            if l.is_empty() {
                // No space after the rule when nothing follows it.
                out.push_str("│\n");
            } else {
                out.push_str(&format!("│ {l}\n"));
            }
        }
        out.push_str("╵\n");
        out
    }
}

/// Diagnostics in the order Terraform prints them (its `Diagnostics.Sort`, stable): those
/// without a source first, then by file and by position in it.
pub fn render_all(diags: &[Diagnostic], files: &[(String, String)]) -> String {
    let mut sorted: Vec<&Diagnostic> = diags.iter().collect();
    sorted.sort_by_key(|d| d.pos.as_ref().map(|p| (p.file.as_str(), p.line)));
    sorted.iter().map(|d| d.render(files)).collect()
}

/// `line` broken at spaces into lines of at most `width` characters (a longer word stays whole),
/// as go-wordwrap's WrapString does.
fn wrap(line: &str, width: usize) -> Vec<String> {
    if line.chars().count() <= width {
        return vec![line.to_string()];
    }
    let mut out = Vec::new();
    let mut current = String::new();
    for word in line.split(' ') {
        let needed =
            current.chars().count() + usize::from(!current.is_empty()) + word.chars().count();
        if !current.is_empty() && needed > width {
            out.push(std::mem::take(&mut current));
        } else if !current.is_empty() {
            current.push(' ');
        }
        current.push_str(word);
    }
    out.push(current);
    out
}

/// Terraform's format.WordWrap: each line of `text` wrapped at `columns - 1`.
pub fn wrap_text(text: &str, columns: usize) -> String {
    text.split('\n')
        .map(|l| wrap(l, columns - 1).join("\n"))
        .collect::<Vec<_>>()
        .join("\n")
}
