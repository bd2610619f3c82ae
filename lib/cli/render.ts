import { Finding, PrincipalRow, Report, StackReport } from './report';

/** Who can assume each role: the principals whose reach (chains included) holds it. */
function assumedBy(stack: StackReport, role: string): string[] {
  return stack.principals.filter((p) => p.canAssume.includes(role)).map((p) => p.id);
}

const EMPTY = 'Empty: the stack has no resources.';

/** How a principal reads: its name where known, else its logical id. */
const label = (p: PrincipalRow) => p.name ?? p.id;

/**
 * Where else to find it: logical id, construct path, ARN (those known and not its label), and the
 * policies of other stacks joined to it.
 */
function whereFound(p: PrincipalRow): string[] {
  return [
    p.name ? `logical id ${p.id}` : '',
    p.constructPath ? `path ${p.constructPath}` : '',
    p.arn ? p.arn : '',
    ...p.joined.map((j) => `joined: ${j}`),
  ].filter(Boolean);
}

/** A finding's resource, by name where the principal has one. */
const resourceOf = (f: Finding) => (f.resourceName ? `${f.resourceName} (${f.resource})` : f.resource);

/** The summary's lines: stacks, principals, merged ones, findings by severity. */
function summaryLines(report: Report): string[] {
  const { summary } = report;
  const bySeverity = ['fatal', 'error', 'warning'].map((s) => `${summary.findings[s] ?? 0} ${s}`).join(', ');
  return [
    `${summary.stacks} stack(s) read (${summary.emptyStacks} empty): ${stacksRead(report)}`,
    `${summary.principals} principal(s), ${summary.mergedPrincipals} of them merged identities`,
    `findings: ${bySeverity}; ${summary.acknowledged} acknowledged`,
  ];
}

/** The stacks a report read, in order, the empty ones said so: `Prod/Backend, Prod/Empty (empty)`. */
function stacksRead(report: Report): string {
  return report.stacks.map((s) => `${s.name}${s.empty ? ' (empty)' : ''}`).join(', ');
}

/** The report as Markdown, for a pull request or a CI summary. */
export function renderMarkdown(report: Report): string {
  const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
  const table = (head: string[], rows: string[][]) =>
    [
      `| ${head.join(' | ')} |`,
      `|${head.map(() => ' --- ').join('|')}|`,
      ...rows.map((r) => `| ${r.map(cell).join(' | ')} |`),
    ].join('\n');
  const out = [
    `# Model access report`,
    '',
    `Source: ${report.source}`,
    '',
    `AWS-managed policies judged as AWS published them by ${report.awsManagedPolicyData}.`,
    '',
    '## Summary',
    '',
    ...summaryLines(report).map((l) => `- ${l}`),
  ];
  for (const stack of report.stacks) {
    if (stack.empty) {
      out.push('', `## ${stack.name}`, '', EMPTY);
      continue;
    }
    out.push('', `## ${stack.name}`, '', '### Who can do what', '');
    out.push(
      table(
        ['principal', 'also known as', 'declared', ...report.capabilities, 'finding'],
        stack.principals.map((p) => [
          `${p.flagged ? '**' : ''}${label(p)}${p.flagged ? '**' : ''}`,
          whereFound(p).join('; '),
          p.declared ?? '',
          ...report.capabilities.map((c) => (p.cells[c] ? `yes: ${p.cells[c]!.join('; ')}` : '')),
          p.flagged ? 'flagged' : '',
        ]),
      ),
    );
    const roles = stack.principals.filter((p) => p.type === 'AWS::IAM::Role');
    out.push('', '### Who can assume what', '');
    out.push(
      table(
        ['role', 'trust policy names', 'assumable by (chains included)', 'can assume'],
        roles.map((r) => [
          label(r),
          r.trustedBy.join('; '),
          assumedBy(stack, r.id).join(', '),
          r.canAssume.join(', '),
        ]),
      ),
    );
    const escalating = stack.principals.filter((p) => p.actsAs.length > 0);
    if (escalating.length) {
      out.push('', '### Who acts as a role without assuming it', '');
      out.push(
        table(
          ['principal', 'acts as (passing it to compute, or changing compute that runs as it)'],
          escalating.map((p) => [label(p), p.actsAs.join('; ')]),
        ),
      );
    }
    out.push('', '### Registry data', '');
    out.push(
      table(
        ['data class', 'buckets', 'read by', 'written by'],
        stack.dataClasses.map((d) => [
          d.dataClass,
          d.buckets.join(', '),
          d.readers.join(', '),
          d.writers.join(', '),
        ]),
      ),
    );
    out.push('', '### Findings', '');
    out.push(
      stack.findings.length
        ? table(
            ['rule', 'severity', 'resource', 'what'],
            stack.findings.map((f) => [f.rule, f.severity, resourceOf(f), f.message]),
          )
        : 'None.',
    );
    out.push('', '### Acknowledged findings', '');
    out.push(
      stack.acknowledged.length
        ? table(
            ['rule', 'resource', 'reason'],
            stack.acknowledged.map((a) => [a.rule, a.resource, a.reason]),
          )
        : 'None.',
    );
    if (stack.problems.length) {
      out.push('', '### Not judged', '', ...stack.problems.map((p) => `- ${p}`));
    }
  }
  return `${out.join('\n')}\n`;
}

const escape = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

const STYLE = `
body { font: 14px/1.4 system-ui, sans-serif; margin: 2em; color: #111; }
table { border-collapse: collapse; margin: 0.5em 0 1.5em; width: 100%; }
th, td { border: 1px solid #999; padding: 4px 6px; vertical-align: top; text-align: left; overflow-wrap: anywhere; }
table.matrix th, table.matrix td { min-width: 4.5em; }
th { background: #eee; }
td.held { background: #e8f0fe; }
tr.flagged td { background: #fde2e1; }
tr.flagged td.held { background: #f8b4b0; }
.evidence { font-size: 12px; color: #333; }
@media print { body { margin: 0; } h2 { break-before: page; } tr { break-inside: avoid; } }
`;

/** The report as one self-contained HTML page (no external assets), printable. */
export function renderHtml(report: Report): string {
  const table = (attrs: string, head: string[], rows: string[]) =>
    `<table ${attrs}><thead><tr>${head.map((h) => `<th>${escape(h)}</th>`).join('')}</tr></thead><tbody>${rows.join('')}</tbody></table>`;
  const td = (text: string) => `<td>${escape(text)}</td>`;
  const body: string[] = [
    `<h1>Model access report</h1>`,
    `<p>Source: ${escape(report.source)}</p>`,
    `<p>AWS-managed policies judged as AWS published them by ${escape(report.awsManagedPolicyData)}.</p>`,
    '<h2>Summary</h2>',
    `<ul class="summary">${summaryLines(report)
      .map((l) => `<li>${escape(l)}</li>`)
      .join('')}</ul>`,
  ];
  for (const stack of report.stacks) {
    const id = escape(stack.name);
    if (stack.empty) {
      body.push(`<h2>${id}</h2>`, `<p>${EMPTY}</p>`);
      continue;
    }
    body.push(`<h2>${id}</h2>`, '<h3>Who can do what</h3>');
    body.push(
      table(
        `class="matrix" data-stack="${id}"`,
        ['principal', 'also known as', 'declared', ...report.capabilities, 'finding'],
        stack.principals.map(
          (p) =>
            `<tr data-principal="${escape(p.id)}"${p.flagged ? ' class="flagged"' : ''}>${td(label(p))}<td class="evidence">${whereFound(p).map(escape).join('<br>')}</td>${td(p.declared ?? '')}${report.capabilities
              .map((c) =>
                p.cells[c]
                  ? `<td class="held" data-capability="${c}">yes<div class="evidence">${p.cells[c]!.map(escape).join('<br>')}</div></td>`
                  : `<td data-capability="${c}"></td>`,
              )
              .join('')}${td(p.flagged ? 'flagged' : '')}</tr>`,
        ),
      ),
    );
    body.push('<h3>Who can assume what</h3>');
    body.push(
      table(
        'class="trust"',
        ['role', 'trust policy names', 'assumable by (chains included)', 'can assume'],
        stack.principals
          .filter((p) => p.type === 'AWS::IAM::Role')
          .map(
            (r) =>
              `<tr>${td(label(r))}${td(r.trustedBy.join('; '))}${td(assumedBy(stack, r.id).join(', '))}${td(r.canAssume.join(', '))}</tr>`,
          ),
      ),
    );
    const escalating = stack.principals.filter((p) => p.actsAs.length > 0);
    if (escalating.length) {
      body.push('<h3>Who acts as a role without assuming it</h3>');
      body.push(
        table(
          'class="trust"',
          ['principal', 'acts as (passing it to compute, or changing compute that runs as it)'],
          escalating.map((p) => `<tr>${td(label(p))}${td(p.actsAs.join('; '))}</tr>`),
        ),
      );
    }
    body.push('<h3>Registry data</h3>');
    body.push(
      table(
        'class="data"',
        ['data class', 'buckets', 'read by', 'written by'],
        stack.dataClasses.map(
          (d) =>
            `<tr>${td(d.dataClass)}${td(d.buckets.join(', '))}${td(d.readers.join(', '))}${td(d.writers.join(', '))}</tr>`,
        ),
      ),
    );
    body.push('<h3>Findings</h3>');
    body.push(
      stack.findings.length
        ? table(
            'class="findings"',
            ['rule', 'severity', 'resource', 'what'],
            stack.findings.map(
              (f) =>
                `<tr class="flagged">${td(f.rule)}${td(f.severity)}${td(resourceOf(f))}${td(f.message)}</tr>`,
            ),
          )
        : '<p>None.</p>',
    );
    body.push('<h3>Acknowledged findings</h3>');
    body.push(
      stack.acknowledged.length
        ? table(
            'class="acknowledged"',
            ['rule', 'resource', 'reason'],
            stack.acknowledged.map((a) => `<tr>${td(a.rule)}${td(a.resource)}${td(a.reason)}</tr>`),
          )
        : '<p>None.</p>',
    );
    if (stack.problems.length)
      body.push(
        '<h3>Not judged</h3>',
        `<ul>${stack.problems.map((p) => `<li>${escape(p)}</li>`).join('')}</ul>`,
      );
  }
  return `<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>Model access report</title><style>${STYLE}</style></head><body>${body.join('\n')}</body></html>\n`;
}
