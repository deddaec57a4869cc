// Bundles the page into ../wwwroot (embedded in the assembly): minified JS and CSS, the HTML, the chart
// library's licence and notice, and gzip and brotli copies the server sends when the browser takes them.
import { build } from 'esbuild';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { brotliCompressSync, gzipSync, constants } from 'node:zlib';

const out = '../wwwroot';
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
await build({ entryPoints: ['src/app.js', 'src/app.css'], bundle: true, minify: true, format: 'esm', target: 'es2022', outdir: out, legalComments: 'eof' });
copyFileSync('src/index.html', `${out}/index.html`);
copyFileSync('node_modules/lightweight-charts/LICENSE', `${out}/LICENSE-lightweight-charts.txt`);
writeFileSync(`${out}/NOTICE.txt`, 'TradingView Lightweight Charts\u2122\nCopyright (c) 2025 TradingView, Inc. https://www.tradingview.com/\nLicensed under the Apache License, Version 2.0 (see LICENSE-lightweight-charts.txt).\n');
let gzipped = 0;
for (const name of readdirSync(out)) {
  const body = readFileSync(`${out}/${name}`);
  const gz = gzipSync(body, { level: 9 });
  writeFileSync(`${out}/${name}.gz`, gz);
  writeFileSync(`${out}/${name}.br`, brotliCompressSync(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }));
  if (/\.(js|css)$/.test(name)) gzipped += gz.length;
}
console.log(`build-web: ${out} written, JS+CSS ${(gzipped / 1024).toFixed(1)} KB gzipped`);
