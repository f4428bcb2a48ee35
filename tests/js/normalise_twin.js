// Runs static/normalise.js in Node over texts given as a JSON array on stdin, and prints each
// text's spans as a JSON array: the twin's side of tests/test_normalise.py's agreement test.
// With the argument `trailing`, the spans as the index cuts (tokens(text, trailing=True)).
"use strict";
const fs = require("fs");
const path = require("path");
const vm = require("vm");

const root = path.resolve(__dirname, "..", "..");
const context = { window: {} };
vm.createContext(context);
for (const file of ["static/normalise-table.js", "static/normalise.js"]) {
  vm.runInContext(fs.readFileSync(path.join(root, file), "utf8"), context, { filename: file });
}
const texts = JSON.parse(fs.readFileSync(0, "utf8"));
const normalise = context.window.ArchiveNormalise;
const trailing = process.argv[2] === "trailing";
const out = texts.map((text) => normalise.spans(text, trailing).map((s) => [s.term, s.start, s.end]));
process.stdout.write(JSON.stringify(out));
