/// <reference lib="dom" />
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Browser, chromium } from 'playwright-core';
import { App } from 'aws-cdk-lib';
import { allow, doc, role, template } from '../analysis/designs';
import { run } from '../cli/run';

// Debian's chromium, started as this project's machines need it (no sandbox as root, no background network).
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'report-html-'));
// The app logs invocations (as ModelInvocationLogging does) and the invoker applies a guardrail, so
// the clean invoker has no finding.
const MERGED = template({
  ChatBackend: role([doc(allow(['bedrock:InvokeModel', 'bedrock:CreateModelCustomizationJob']))]),
  // Clean: it invokes only with a guardrail applied, as ModelInferenceRole's guardrail requires.
  Invoker: role([
    doc(
      allow('bedrock:InvokeModel', '*', {
        Condition: {
          StringEquals: {
            'bedrock:GuardrailIdentifier': 'arn:aws:bedrock:us-east-1:123456789012:guardrail/g1:1',
          },
        },
      }),
    ),
  ]),
  InvocationLogging: {
    Type: 'Custom::ModelInvocationLogging',
    Properties: { ServiceToken: 'arn:aws:lambda:us-east-1:123456789012:function:logging' },
  },
});

let browser: Browser;
let file: string;
beforeAll(async () => {
  if (!fs.existsSync(CHROMIUM))
    throw new Error(
      `${CHROMIUM} not found: install Debian's chromium (apt-get install chromium), as .ci/run does`,
    );
  const input = path.join(dir, 'Merged.template.json');
  fs.writeFileSync(input, JSON.stringify(MERGED));
  file = path.join(dir, 'report.html');
  const { code } = await run('report', input, '--format', 'html', '--out', file);
  expect(code).toBe(1); // the merged role fails the default --fail-on merged
  browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS, headless: true });
}, 60_000);
afterAll(async () => browser?.close());

async function open() {
  const page = await browser.newPage();
  const requests: string[] = [];
  page.on('request', (r) => requests.push(r.url()));
  await page.goto(`file://${file}`);
  return { page, requests };
}

test('the matrix renders: a row per principal, a column per capability, evidence collapsed in held cells', async () => {
  const { page } = await open();
  const matrix = page.locator('table.matrix');
  await matrix.waitFor({ state: 'visible' });
  expect(await matrix.locator('thead th').allInnerTexts()).toEqual([
    'principal',
    'also known as',
    'declared',
    'read',
    'inference',
    'customization',
    'deployment',
    'weights-access',
    'approval',
    'inference-log-access',
    'finding',
  ]);
  expect(await matrix.locator('tbody tr').count()).toBe(2);
  const held = matrix.locator('tr[data-principal="ChatBackend"] td[data-capability="inference"]');
  // Collapsed: the cell says it is held and how many grants, the evidence opens on a click.
  expect(await held.innerText()).toBe('yes (1)');
  await held.locator('summary').click();
  expect(await held.innerText()).toContain('bedrock:InvokeModel in ChatBackend/p0 (#1) on *');
  expect((await held.boundingBox())!.height).toBeGreaterThan(0);
  await page.close();
});

test('the flagged row renders flagged: its own colour, unlike a clean row', async () => {
  const { page } = await open();
  const background = (principal: string) =>
    page
      .locator(`table.matrix tr[data-principal="${principal}"] td`)
      .first()
      .evaluate((td) => getComputedStyle(td).backgroundColor);
  expect(await background('ChatBackend')).toBe('rgb(253, 226, 225)');
  expect(await background('Invoker')).toBe('rgba(0, 0, 0, 0)');
  const finding = page.locator('table.findings tr.flagged', { hasText: 'ModelAccess-MergedCapabilities' });
  await finding.first().waitFor({ state: 'visible' });
  expect(await finding.first().locator('td').nth(2).innerText()).toBe('ChatBackend');
  await page.close();
});

test('the summary and the merged identities come first, before any stack', async () => {
  const { page } = await open();
  expect(await page.locator('h2').allInnerTexts()).toEqual(['Summary', 'Merged identities', 'Merged']);
  const merged = page.locator('table.merged tbody tr');
  expect(await merged.count()).toBe(1);
  expect(await merged.locator('td').allInnerTexts()).toEqual([
    'Merged',
    'ChatBackend',
    'ModelAccess-MergedCapabilities[inference+customization]',
    'holds inference and customization',
  ]);
  await page.close();
});

test('the page is self-contained and prints', async () => {
  const { page, requests } = await open();
  expect(requests).toEqual([`file://${file}`]);
  const pdf = await page.pdf({ format: 'A4' });
  expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
  await page.close();
});

test('at 1280 px wide every column of a wide report stays readable: nothing overflows the page or a cell', async () => {
  // Long names, paths and evidence: a role named at IAM's 64-character limit with many long ARNs.
  const longArn = (i: number) =>
    `arn:aws:bedrock:eu-central-1:111122223333:provisioned-model/very-long-provisioned-throughput-name-${i}`;
  const wide = template({
    ['R'.repeat(40)]: role(
      [doc(allow(['bedrock:InvokeModel', 'bedrock:CreateModelCustomizationJob'], [1, 2, 3, 4].map(longArn)))],
      {
        RoleName: `${'model-access-'.repeat(4)}chat-backend`.slice(0, 64),
      },
    ),
    Reader: role([doc(allow(['bedrock:GetFoundationModel', 'bedrock:ListFoundationModels']))]),
  });
  const input = path.join(dir, 'Wide.template.json');
  fs.writeFileSync(input, JSON.stringify(wide));
  const out = path.join(dir, 'wide.html');
  await run('report', input, '--format', 'html', '--out', out, '--fail-on', 'never');
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.goto(`file://${out}`);
  const layout = await page.evaluate(() => ({
    page: document.documentElement.scrollWidth,
    headers: Array.from(document.querySelectorAll('table.matrix th')).map(
      (th) => th.getBoundingClientRect().width,
    ),
    clipped: Array.from(document.querySelectorAll('td, th')).filter((c) => c.scrollWidth > c.clientWidth + 1)
      .length,
  }));
  expect(layout.page).toBeLessThanOrEqual(1280);
  expect(Math.min(...layout.headers)).toBeGreaterThanOrEqual(50);
  expect(layout.clipped).toBe(0);
  await page.close();
});

test('at 1280 px a real app reads without fighting it: short rows, a header that stays, names whole', async () => {
  // The whole platform of examples/bedrock-fine-tuning, as `cdk synth` writes it.
  const outdir = path.join(dir, 'app.out');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { buildApp } = require('../../examples/bedrock-fine-tuning/app') as { buildApp(app: App): App };
  buildApp(new App({ outdir, context: { 'aws:cdk:enable-path-metadata': true } })).synth();
  const out = path.join(dir, 'app.html');
  expect((await run('report', outdir, '--format', 'html', '--out', out)).code).toBe(0);
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await page.goto(`file://${out}`);
  const rows = await page.locator('table.matrix tbody tr').count();
  expect(rows).toBeGreaterThanOrEqual(10);
  const measure = () =>
    page.evaluate(() => {
      const cells = Array.from(document.querySelectorAll('table.matrix tbody td'));
      // A text node holds one name segment between line-break opportunities (<wbr>): broken across
      // lines, a word was broken in the middle.
      const brokenWords = cells.flatMap((td) => {
        const walker = document.createTreeWalker(td, NodeFilter.SHOW_TEXT);
        const broken: string[] = [];
        for (let n = walker.nextNode(); n; n = walker.nextNode()) {
          if (/\s/.test(n.textContent!) || !n.parentElement!.checkVisibility()) continue;
          const range = document.createRange();
          range.selectNodeContents(n);
          const lines = new Set(Array.from(range.getClientRects()).map((r) => Math.round(r.top)));
          if (lines.size > 1) broken.push(n.textContent!);
        }
        return broken;
      });
      return {
        width: document.documentElement.scrollWidth,
        tallest: Math.max(
          ...Array.from(document.querySelectorAll('table.matrix tbody tr')).map(
            (r) => r.getBoundingClientRect().height,
          ),
        ),
        labels: Array.from(document.querySelectorAll('table.matrix tbody tr td:first-child')).map(
          (td) => (td as HTMLElement).innerText,
        ),
        brokenWords,
        openDetails: document.querySelectorAll('details[open]').length,
      };
    });
  const layout = await measure();
  expect(layout.width).toBeLessThanOrEqual(1280);
  expect(layout.openDetails).toBe(0);
  expect(layout.tallest).toBeLessThanOrEqual(800 / 2);
  expect(layout.brokenWords).toEqual([]);
  // Named as the app names them: construct paths (or IAM names), not CDK's hashed logical ids.
  expect(layout.labels.filter((l) => /[0-9A-F]{8}$/.test(l))).toEqual([]);
  expect(layout.labels).toContain('BedrockFineTuningExample/ModelAccess/Invokers');
  // Every piece of evidence open: still within the page, still no word broken.
  await page.evaluate(() => document.querySelectorAll('details').forEach((d) => (d.open = true)));
  const open = await measure();
  expect(open.openDetails).toBeGreaterThanOrEqual(rows / 2);
  expect(open.width).toBeLessThanOrEqual(1280);
  expect(open.brokenWords).toEqual([]);
  await page.evaluate(() => document.querySelectorAll('details').forEach((d) => (d.open = false)));
  // The header row stays in view while the reader scrolls the matrix.
  const header = page.locator('table.matrix thead th').first();
  const last = page.locator('table.matrix tbody tr').last();
  await last.scrollIntoViewIfNeeded();
  await page.evaluate(() =>
    window.scrollBy(
      0,
      200 - document.querySelector('table.matrix tbody tr:last-child')!.getBoundingClientRect().top,
    ),
  );
  const table = (await page.locator('table.matrix').boundingBox())!;
  expect(table.y).toBeLessThan(0);
  expect(Math.round((await header.boundingBox())!.y)).toBe(0);
  await page.close();
}, 180_000);
