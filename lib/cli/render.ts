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

/** The capabilities a principal holds, in the report's order (`inference, customization`), or that it holds none. */
const heldCapabilities = (p: PrincipalRow) => Object.keys(p.cells).join(', ') || 'no model capability';

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
    const keyed = stack.principals.filter((p) => p.apiKeys.length > 0);
    if (keyed.length) {
      out.push('', '### Long-term API keys to models', '');
      out.push(
        table(
          ['user', 'API keys (service-specific credentials)', 'what the user can do'],
          keyed.map((p) => [label(p), p.apiKeys.join('; '), heldCapabilities(p)]),
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

/**
 * Escaped, with line-break opportunities where a reader would break a name: after `/ : . _ , - |`
 * and between a lower-case letter and an upper-case one (`ModelAccess<wbr>Reader`), never mid-word.
 */
const wrap = (s: string) =>
  escape(s)
    .replace(/([/:._,|-])(?=[^\s])/g, '$1<wbr>')
    .replace(/([a-z0-9])(?=[A-Z])/g, '$1<wbr>');

const STYLE = `
body { font: 14px/1.4 system-ui, sans-serif; margin: 2em; color: #111; }
table { border-collapse: collapse; margin: 0.5em 0 1.5em; width: 100%; }
th, td { border: 1px solid #999; padding: 4px 6px; vertical-align: top; text-align: left; overflow-wrap: break-word; }
thead th { position: sticky; top: 0; z-index: 1; background: #eee; box-shadow: 0 1px 0 #999; }
table.matrix th, table.matrix td { min-width: 4.5em; }
td.held { background: #e8f0fe; }
tr.flagged td { background: #fde2e1; }
tr.flagged td.held { background: #f8b4b0; }
.evidence, .aka { font-size: 12px; color: #333; }
summary { cursor: pointer; }
@media print { body { margin: 0; } h2.stack { break-before: page; } tr { break-inside: avoid; } thead th { position: static; } }
`;

/** The label the HTML shows: the physical name, else the construct path, else the logical id. */
const htmlLabel = (p: PrincipalRow) => p.name ?? p.constructPath?.replace(/\/Resource$/, '') ?? p.id;

/** The names of a principal besides its label: logical id, construct path, ARN, joined policies. */
function otherNames(p: PrincipalRow): string[] {
  const label = htmlLabel(p);
  return [
    label !== p.id ? `logical id ${p.id}` : '',
    p.constructPath && label !== p.constructPath.replace(/\/Resource$/, '') ? `path ${p.constructPath}` : '',
    p.arn ?? '',
    ...p.joined.map((j) => `joined: ${j}`),
  ].filter(Boolean);
}

/** Evidence the reader opens when they want it: a summary line, the rest collapsed. */
const collapsed = (summary: string, items: string[], cls: string) =>
  items.length
    ? `<details class="${cls}"><summary>${wrap(summary)}</summary><div>${items.map(wrap).join('<br>')}</div></details>`
    : '';

/** The report as one self-contained HTML page (no external assets), printable. */
export function renderHtml(report: Report): string {
  const table = (attrs: string, head: string[], rows: string[]) =>
    `<table ${attrs}><thead><tr>${head.map((h) => `<th>${wrap(h)}</th>`).join('')}</tr></thead><tbody>${rows.join('')}</tbody></table>`;
  const td = (text: string) => `<td>${wrap(text)}</td>`;
  const body: string[] = [
    `<h1>Model access report</h1>`,
    `<p>Source: ${wrap(report.source)}</p>`,
    `<p>AWS-managed policies judged as AWS published them by ${escape(report.awsManagedPolicyData)}.</p>`,
    '<h2>Summary</h2>',
    `<ul class="summary">${summaryLines(report)
      .map((l) => `<li>${wrap(l)}</li>`)
      .join('')}</ul>`,
  ];
  // The merged identities of every stack, first: what fails the report, and what to fix.
  const merged = report.stacks.flatMap((stack) => {
    const named = (resource: string) =>
      stack.principals.find((p) => p.id === resource || p.reportedOn === resource);
    return stack.findings
      .filter((f) => f.merged)
      .map((f) => {
        const p = named(f.resource);
        return `<tr class="flagged">${td(stack.name)}${td(p ? htmlLabel(p) : resourceOf(f))}${td(f.rule)}<td>${collapsed(f.message.split(': ')[0], [f.message], 'evidence')}</td></tr>`;
      });
  });
  body.push(
    '<h2>Merged identities</h2>',
    merged.length
      ? table('class="merged"', ['stack', 'principal', 'rule', 'what'], merged)
      : '<p>None: no principal holds capabilities that must stay apart.</p>',
  );
  for (const stack of report.stacks) {
    const id = escape(stack.name);
    const labelOf = (principal: string) => {
      const p = stack.principals.find((q) => q.id === principal);
      return p ? htmlLabel(p) : principal;
    };
    if (stack.empty) {
      body.push(`<h2 class="stack">${wrap(stack.name)}</h2>`, `<p>${EMPTY}</p>`);
      continue;
    }
    body.push(`<h2 class="stack">${wrap(stack.name)}</h2>`, '<h3>Who can do what</h3>');
    body.push(
      table(
        `class="matrix" data-stack="${id}"`,
        ['principal', 'also known as', 'declared', ...report.capabilities, 'finding'],
        stack.principals.map((p) => {
          const names = otherNames(p);
          const aka = names.length > 1 ? collapsed(names[0], names.slice(1), 'aka') : wrap(names[0] ?? '');
          return `<tr data-principal="${escape(p.id)}"${p.flagged ? ' class="flagged"' : ''}>${td(htmlLabel(p))}<td class="aka">${aka}</td>${td(p.declared ?? '')}${report.capabilities
            .map((c) =>
              p.cells[c]
                ? `<td class="held" data-capability="${c}">${collapsed(`yes (${p.cells[c]!.length})`, p.cells[c]!, 'evidence')}</td>`
                : `<td data-capability="${c}"></td>`,
            )
            .join('')}${td(p.flagged ? 'flagged' : '')}</tr>`;
        }),
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
              `<tr>${td(htmlLabel(r))}${td(r.trustedBy.join('; '))}${td(assumedBy(stack, r.id).map(labelOf).join(', '))}${td(r.canAssume.map(labelOf).join(', '))}</tr>`,
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
          escalating.map((p) => `<tr>${td(htmlLabel(p))}${td(p.actsAs.join('; '))}</tr>`),
        ),
      );
    }
    const keyed = stack.principals.filter((p) => p.apiKeys.length > 0);
    if (keyed.length) {
      body.push('<h3>Long-term API keys to models</h3>');
      body.push(
        table(
          'class="api-keys"',
          ['user', 'API keys (service-specific credentials)', 'what the user can do'],
          keyed.map(
            (p) => `<tr>${td(htmlLabel(p))}${td(p.apiKeys.join('; '))}${td(heldCapabilities(p))}</tr>`,
          ),
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
        `<ul>${stack.problems.map((p) => `<li>${wrap(p)}</li>`).join('')}</ul>`,
      );
  }
  return `<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>Model access report</title><style>${STYLE}</style></head><body>${body.join('\n')}</body></html>\n`;
}
