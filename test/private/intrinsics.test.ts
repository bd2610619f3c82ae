// eslint-disable-next-line @typescript-eslint/no-require-imports
const { flattenCfnReference } = require('cdk-nag/lib/utils/flatten-cfn-reference');
import { nagName, scalar } from '../../lib/private/intrinsics';

const VALUES = [
  'arn:aws:s3:::bucket/*',
  { Ref: 'Bucket' },
  { 'Fn::GetAtt': ['Bucket', 'Arn'] },
  { 'Fn::Join': ['', [{ 'Fn::GetAtt': ['Bucket', 'Arn'] }, '/*']] },
  { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::', { Ref: 'AWS::AccountId' }, ':root']] },
  { 'Fn::Sub': 'arn:${AWS::Partition}:s3:::${Bucket}/*' },
  { 'Fn::ImportValue': 'shared-bucket-arn' },
  { 'Fn::Select': [1, { 'Fn::Split': ['/', { Ref: 'RoleArn' }] }] },
];

test.each(VALUES.map((v) => [JSON.stringify(v), v]))('%s is named as cdk-nag names it', (_, value) => {
  expect(nagName(value)).toBe(flattenCfnReference(value));
});

test('unresolvable splits stay distinct symbols', () => {
  const nameOf = (param: string) => ({ 'Fn::Select': [1, { 'Fn::Split': ['/', { Ref: param }] }] });
  expect(scalar(nameOf('A'))).not.toBe(scalar(nameOf('B')));
  expect(scalar({ 'Fn::Sub': 'arn:${AWS::Partition}:s3:::${B}' })).toBe('arn:${AWS::Partition}:s3:::${B}');
});
