type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

/**
 * A resolved CloudFormation reference as one string, the way cdk-nag names it in findings:
 * `<Logical.Arn>/*`, `<AWS::Partition>`. Acknowledgement ids must match it to the letter.
 */
export function flattenReference(node: Json): string {
  if (typeof node === 'string') return node.replace(/\$\{/g, '<').replace(/\}/g, '>');
  if (node?.['Fn::Join'])
    return (node['Fn::Join'][1] as Json[]).map(flattenReference).join(node['Fn::Join'][0]);
  if (node?.['Fn::Sub']) return flattenReference(node['Fn::Sub']);
  if (node?.['Fn::GetAtt'])
    return `<${flattenReference(node['Fn::GetAtt'][0])}.${flattenReference(node['Fn::GetAtt'][1])}>`;
  if (node?.Ref) return `<${flattenReference(node.Ref)}>`;
  return JSON.stringify(node);
}
