/// <reference lib="dom" />
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Browser, chromium } from 'playwright-core';
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
// The app logs invocations (as ModelInvocationLogging does), so the clean invoker has no finding.
const MERGED = template({
  ChatBackend: role([doc(allow(['bedrock:InvokeModel', 'bedrock:CreateModelCustomizationJob']))]),
  Invoker: role([doc(allow('bedrock:InvokeModel'))]),
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

test('the matrix renders: a row per principal, a column per capability, evidence in held cells', async () => {
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
