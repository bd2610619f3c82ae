/**
 * `npm run update-resource-types`: regenerates lib/analysis/data/resource-types.json from
 * aws-cdk-lib's L1 classes (generated from the CloudFormation registry): every CloudFormation
 * resource type they know (`types`), and those whose `Ref` returns their ARN (`refIsArn`): each
 * class's `<resource>Ref` getter says which of its identifiers `this.ref` is
 * (`{ endpointArn: this.ref }` for `AWS::SageMaker::Endpoint`, `{ bucketName: this.ref, bucketArn:
 * this.attrArn }` for `AWS::S3::Bucket`).
 */
import * as fs from 'fs';
import * as path from 'path';

const OUT = path.join(__dirname, '..', 'lib', 'analysis', 'data', 'resource-types.json');

function main() {
  const root = path.dirname(require.resolve('aws-cdk-lib/package.json'));
  const { version } = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
  const types = new Set<string>();
  const refIsArn = new Set<string>();
  const modules = fs
    .readdirSync(root)
    .filter((d) => /^aws-/.test(d) && fs.existsSync(path.join(root, d, 'lib')));
  for (const name of modules) {
    let module: Record<string, unknown>;
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      module = require(`aws-cdk-lib/${name}`);
    } catch {
      continue; // not a public module
    }
    for (const value of Object.values(module)) {
      const type = (value as { CFN_RESOURCE_TYPE_NAME?: string } | undefined)?.CFN_RESOURCE_TYPE_NAME;
      if (typeof value !== 'function' || typeof type !== 'string') continue;
      types.add(type);
      for (const key of Object.getOwnPropertyNames(value.prototype)) {
        const getter = key.endsWith('Ref')
          ? Object.getOwnPropertyDescriptor(value.prototype, key)?.get
          : undefined;
        const field = getter ? /(\w+):this\.ref\b/.exec(getter.toString())?.[1] : undefined;
        if (field?.endsWith('Arn')) refIsArn.add(type);
      }
    }
  }
  fs.writeFileSync(
    OUT,
    `${JSON.stringify({ source: `aws-cdk-lib ${version}`, types: [...types].sort(), refIsArn: [...refIsArn].sort() }, null, 1)}\n`,
  );
  console.log(
    `${types.size} resource types, ${refIsArn.size} whose Ref is their ARN, from aws-cdk-lib ${version}`,
  );
}

main();
