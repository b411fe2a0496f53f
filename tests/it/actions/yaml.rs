//! Reading the release workflow back: its jobs (`if:`, `outputs:`, `strategy.matrix`) and
//! their steps (`name`, `id`, `if`, `uses`, `with`, `env`, `run`), as far as the rendered
//! workflow uses YAML: block maps, `|` block scalars, quoted and plain scalars, comments.

#[derive(Debug, Default, Clone)]
pub struct Step {
    pub name: String,
    pub id: Option<String>,
    pub if_: Option<String>,
    pub uses: Option<String>,
    pub with: Vec<(String, String)>,
    pub env: Vec<(String, String)>,
    pub run: Option<String>,
}

#[derive(Debug, Default, Clone)]
pub struct Job {
    pub id: String,
    pub if_: Option<String>,
    pub matrix: Option<String>,
    pub outputs: Vec<(String, String)>,
    pub steps: Vec<Step>,
}

fn indent(line: &str) -> usize {
    line.len() - line.trim_start().len()
}

/// A scalar as YAML reads it: a trailing ` # comment` dropped, quotes removed.
fn scalar(v: &str) -> String {
    let v = v.trim();
    if let Some(q) = v.strip_prefix('"') {
        return q[..q.rfind('"').unwrap()].replace("\\\"", "\"");
    }
    match v.find(" #") {
        Some(i) => v[..i].trim_end().to_string(),
        None => v.to_string(),
    }
}

/// `key: value` of a line (value may be empty), or `None` for a comment or a non-key line.
fn key_value(line: &str) -> Option<(&str, &str)> {
    let t = line.trim_start().trim_start_matches("- ");
    if t.starts_with('#') {
        return None;
    }
    let (k, v) = t.split_once(':')?;
    (!k.contains(' ')).then_some((k, v.trim()))
}

/// The lines of a block scalar (`key: |`) starting at `lines[i]`, dedented; and the index
/// of the first line after it.
fn block(lines: &[&str], mut i: usize, parent: usize) -> (String, usize) {
    let mut out = Vec::new();
    let mut base = None;
    while i < lines.len() {
        let l = lines[i];
        if !l.trim().is_empty() && indent(l) <= parent {
            break;
        }
        let b = *base.get_or_insert_with(|| indent(l));
        out.push(l.get(b..).unwrap_or(""));
        i += 1;
    }
    while out.last() == Some(&"") {
        out.pop();
    }
    (out.join("\n") + "\n", i)
}

/// A `key:` map at `lines[i..]` whose entries are indented deeper than `parent`.
fn map(lines: &[&str], mut i: usize, parent: usize) -> (Vec<(String, String)>, usize) {
    let mut out = Vec::new();
    while i < lines.len() && (lines[i].trim().is_empty() || indent(lines[i]) > parent) {
        let own = indent(lines[i]);
        match key_value(lines[i]) {
            Some((k, "|")) => {
                let (text, next) = block(lines, i + 1, own);
                out.push((k.to_string(), text));
                i = next;
            }
            Some((k, v)) => {
                out.push((k.to_string(), scalar(v)));
                i += 1;
            }
            None => i += 1,
        }
    }
    (out, i)
}

/// The jobs of `workflow`, in file order.
pub fn parse(workflow: &str) -> Vec<Job> {
    let lines: Vec<&str> = workflow.lines().collect();
    let start = lines
        .iter()
        .position(|l| *l == "jobs:")
        .expect("a jobs: key")
        + 1;
    let mut jobs: Vec<Job> = Vec::new();
    let mut i = start;
    while i < lines.len() {
        let l = lines[i];
        let own = indent(l);
        let kv = key_value(l);
        i += 1;
        let Some((k, v)) = kv else { continue };
        match own {
            2 => jobs.push(Job {
                id: k.to_string(),
                ..Job::default()
            }),
            4 => {
                let job = jobs.last_mut().unwrap();
                match k {
                    "if" => job.if_ = Some(scalar(v)),
                    "outputs" => (job.outputs, i) = map(&lines, i, own),
                    _ => {}
                }
            }
            6 if k == "matrix" => jobs.last_mut().unwrap().matrix = Some(scalar(v)),
            6 if l.trim_start().starts_with("- ") => {
                // The step's lines: this one and those indented under it, with its `- `
                // made blank so that every key of the step is at column 8.
                let first = l.replacen("- ", "  ", 1);
                let mut step_lines = vec![first.as_str()];
                while i < lines.len() && (lines[i].trim().is_empty() || indent(lines[i]) > 6) {
                    step_lines.push(lines[i]);
                    i += 1;
                }
                jobs.last_mut().unwrap().steps.push(step(&step_lines));
            }
            _ => {}
        }
    }
    jobs
}

fn step(lines: &[&str]) -> Step {
    let mut step = Step::default();
    let mut i = 0;
    while i < lines.len() {
        let Some((k, v)) = key_value(lines[i]).filter(|_| indent(lines[i]) == 8) else {
            i += 1;
            continue;
        };
        i += 1;
        match (k, v) {
            ("run", "|") => {
                let (text, next) = block(lines, i, 8);
                step.run = Some(text);
                i = next;
            }
            ("run", v) => step.run = Some(scalar(v) + "\n"),
            ("with", "") => (step.with, i) = map(lines, i, 8),
            ("env", "") => (step.env, i) = map(lines, i, 8),
            ("name", v) => step.name = scalar(v),
            ("id", v) => step.id = Some(scalar(v)),
            ("if", v) => step.if_ = Some(scalar(v)),
            ("uses", v) => step.uses = Some(scalar(v)),
            (k, _) => panic!(
                "step {:?}: key {k:?} is not known to the rehearsal",
                step.name
            ),
        }
    }
    step
}
