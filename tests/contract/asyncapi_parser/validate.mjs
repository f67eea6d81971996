// Parse and validate an AsyncAPI document with the official parser (@asyncapi/parser).
// Usage: node validate.mjs <document.json>. Prints a JSON report; exit 1 on any error diagnostic.
import { readFileSync } from "node:fs";
import { Parser, DiagnosticSeverity } from "@asyncapi/parser";

const path = process.argv[2];
const parser = new Parser();
const { document, diagnostics } = await parser.parse(readFileSync(path, "utf8"));
const errors = diagnostics.filter((d) => d.severity === DiagnosticSeverity.Error);
const report = {
  errors: errors.map((d) => ({ code: d.code, message: d.message, path: d.path.join("/") })),
  warnings: diagnostics.filter((d) => d.severity === DiagnosticSeverity.Warning)
    .map((d) => ({ code: d.code, message: d.message, path: d.path.join("/") })),
  parsed: document !== undefined,
  version: document ? document.version() : null,
  channels: document ? document.channels().all().map((c) => c.address()) : [],
  messages: document ? document.components().messages().all().map((m) => m.name()) : [],
  operations: document ? document.operations().all().length : 0,
};
console.log(JSON.stringify(report));
process.exit(errors.length === 0 && document !== undefined ? 0 : 1);
