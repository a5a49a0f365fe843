// Parses Mermaid diagrams with the real Mermaid parser (the `mermaid` npm
// package under jsdom), so jmap's tests prove that its exports parse where
// GitHub, GitLab and mermaid-cli parse them, not merely that strings match.
//
// Usage: node check.mjs [--json] FILE...   ("-" or no FILE reads standard input)
// Exit 0 when every diagram parses, 1 when one does not, 2 on a usage error.
// With --json, prints one JSON object per diagram (an array) with what the
// parser understood of a journey: title, accDescr, sections and tasks (name,
// score, people), so a test can check that names survived intact.
import { readFileSync } from 'node:fs';
import { JSDOM } from 'jsdom';

const dom = new JSDOM('<!doctype html><html><body></body></html>');
globalThis.window = dom.window;
globalThis.document = dom.window.document;
// Mermaid logs through console; keep stdout for our JSON only.
const { default: mermaid } = await import('mermaid');
mermaid.initialize({ startOnLoad: false, securityLevel: 'strict', logLevel: 'fatal' });

const args = process.argv.slice(2);
const json = args.includes('--json');
const files = args.filter((a) => a !== '--json');
if (files.some((f) => f.startsWith('--'))) {
  process.stderr.write('usage: node check.mjs [--json] FILE...\n');
  process.exit(2);
}
if (files.length === 0) files.push('-');

let failed = false;
const results = [];
for (const file of files) {
  const text = readFileSync(file === '-' ? 0 : file, 'utf8');
  try {
    const diagram = await mermaid.mermaidAPI.getDiagramFromText(text);
    const db = diagram.db;
    const out = { file, type: diagram.type };
    if (diagram.type === 'journey') {
      out.title = db.getDiagramTitle();
      out.accDescr = db.getAccDescription();
      out.sections = [...db.getSections()];
      out.tasks = db.getTasks().map((t) => ({ section: t.section, task: t.task, score: t.score, people: t.people }));
    }
    results.push(out);
  } catch (error) {
    failed = true;
    const message = String(error && error.message ? error.message : error);
    process.stderr.write(`${file}: parse error: ${message}\n`);
  }
}
if (json) process.stdout.write(JSON.stringify(results, null, 1) + '\n');
// exitCode, not exit(): exit() may cut a large output still being written to a pipe.
process.exitCode = failed ? 1 : 0;
