// Copies the browser files of the front-end packages, with their licences, into api/static/vendor/.
//
// Run by `make vendor` (npm ci, then this script). Only node's standard library: no build step, no bundler.
// What the browser loads is the packages' own minified distribution, unchanged except that the trailing
// `sourceMappingURL` comment is dropped (the .map files are not vendored, so a browser must not ask for them).
// Each bundle's own licence goes to LICENSE; the licences of the packages a bundle contains (YASGUI bundles
// CodeMirror, jQuery, DataTables, DOMPurify…) are collected, from the installed tree, into THIRD-PARTY-LICENSES.txt.
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const modules = join(here, "node_modules");
const target = join(here, "..", "api", "static", "vendor");

const PACKAGES = [
  { name: "@zazuko/yasgui", dir: "yasgui", files: ["build/yasgui.min.js", "build/yasgui.min.css"] },
  { name: "cytoscape", dir: "cytoscape", files: ["dist/cytoscape.min.js"] },
];

const LICENSE_FILE = /^(licen[cs]e|copying)(\.(md|txt))?$/i;

function packageJson(dir) {
  return JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
}

function licenceText(dir) {
  const file = readdirSync(dir).find((f) => LICENSE_FILE.test(f));
  return file ? readFileSync(join(dir, file), "utf8").trim() : null;
}

function declaredOnly(meta) {
  // The npm tarball of some packages (@zazuko/yasgui among them) ships no licence file: say so, and give the
  // licence the package declares, with the standard MIT text when that is what it declares.
  const holders = [meta.author, ...(meta.contributors || [])]
    .map((p) => (typeof p === "string" ? p : p && p.name))
    .filter(Boolean)
    .join(", ");
  const lines = [
    `${meta.name} ${meta.version}: the npm package ships no licence file; its package.json declares`,
    `"license": "${meta.license}", author and contributors: ${holders || "not named"}.`,
    `Source: ${meta.homepage || (meta.repository && meta.repository.url) || "see package.json"}`,
  ];
  if (meta.license === "MIT") {
    lines.push(
      "",
      "MIT License",
      "",
      `Copyright (c) ${holders}`,
      "",
      "Permission is hereby granted, free of charge, to any person obtaining a copy of this software and",
      'associated documentation files (the "Software"), to deal in the Software without restriction, including',
      "without limitation the rights to use, copy, modify, merge, publish, distribute, sublicense, and/or sell",
      "copies of the Software, and to permit persons to whom the Software is furnished to do so, subject to the",
      "following conditions:",
      "",
      "The above copyright notice and this permission notice shall be included in all copies or substantial",
      "portions of the Software.",
      "",
      'THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR IMPLIED, INCLUDING BUT NOT',
      "LIMITED TO THE WARRANTIES OF MERCHANTABILITY, FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO",
      "EVENT SHALL THE AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER LIABILITY, WHETHER",
      "IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM, OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE",
      "USE OR OTHER DEALINGS IN THE SOFTWARE.",
    );
  }
  return lines.join("\n");
}

function dependencyDirs(name) {
  // Every installed production dependency of `name`, transitively, as npm resolved them (`npm query`).
  const out = execFileSync("npm", ["query", `#${name} *`], { cwd: here, encoding: "utf8" });
  const found = JSON.parse(out).filter((node) => !node.dev).map((node) => node.path);
  return [...new Set(found)].sort();
}

for (const pkg of PACKAGES) {
  const source = join(modules, pkg.name);
  const meta = packageJson(source);
  const out = join(target, pkg.dir);
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  for (const file of pkg.files) {
    const text = readFileSync(join(source, file), "utf8").replace(/\n?\/[/*]# sourceMappingURL=\S+( \*\/)?\s*$/, "\n");
    writeFileSync(join(out, file.split("/").pop()), text);
  }
  writeFileSync(join(out, "LICENSE"), (licenceText(source) || declaredOnly(meta)) + "\n");
  const bundled = dependencyDirs(pkg.name).map((dir) => {
    const dep = packageJson(dir);
    const text = licenceText(dir) || declaredOnly(dep);
    const declared = typeof dep.license === "string" ? dep.license : "see its licence file";
    return `${"=".repeat(100)}\n${dep.name} ${dep.version} (${declared})\n${"=".repeat(100)}\n${text}\n`;
  });
  if (bundled.length) {
    const intro = `The production dependencies of ${pkg.name} ${meta.version}, as npm installed them, and their licences:\nits distribution files bundle them (a few, such as type declarations, only at build time).\n\n`;
    writeFileSync(join(out, "THIRD-PARTY-LICENSES.txt"), intro + bundled.join("\n"));
  }
  writeFileSync(
    join(out, "VERSION"),
    `${meta.name} ${meta.version} (${meta.license}), from the npm registry; rebuilt by \`make vendor\`.\n`,
  );
  console.log(`${pkg.name} ${meta.version} -> ${relative(join(here, ".."), out)}`);
}
