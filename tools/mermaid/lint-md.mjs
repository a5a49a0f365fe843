// Lints Markdown with markdownlint, the linter behind markdownlint-cli2 and
// the VS Code extension, so jmap's tests prove that its summaries are
// well-formed where reviewers read them.
//
// Usage: node lint-md.mjs [--all] FILE...
// By default only the table rules run (MD055 pipe style, MD056 column count,
// MD058 blank lines around tables); --all runs markdownlint's defaults minus
// the pure style rules that a generated summary cannot honour (line length,
// repeated headings from stage names, emphasis used as a label), and with
// MD033 (inline HTML) allowing only <br>, the line break jmap writes in a
// table cell: any other element, and any <br> typed in a map, is an error.
// Exit 0 when clean, 1 with one "FILE:LINE: RULE description" line per
// problem, 2 on a usage error.
import { readFileSync } from 'node:fs';
import { lint } from 'markdownlint/sync';

const args = process.argv.slice(2);
const all = args.includes('--all');
const files = args.filter((a) => a !== '--all');
if (files.length === 0 || files.some((f) => f.startsWith('--'))) {
  process.stderr.write('usage: node lint-md.mjs [--all] FILE...\n');
  process.exit(2);
}
const config = all
  ? { default: true, MD013: false, MD024: false, MD036: false, MD033: { allowed_elements: ['br'] } }
  : { default: false, MD055: true, MD056: true, MD058: true };
const strings = Object.fromEntries(files.map((f) => [f, readFileSync(f, 'utf8')]));
const results = lint({ strings, config });
let problems = 0;
for (const file of files) {
  for (const r of results[file]) {
    problems += 1;
    const detail = r.errorDetail ? ` [${r.errorDetail}]` : '';
    process.stdout.write(`${file}:${r.lineNumber}: ${r.ruleNames.join('/')} ${r.ruleDescription}${detail}\n`);
  }
}
process.exit(problems ? 1 : 0);
