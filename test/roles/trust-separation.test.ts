import { App, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { ModelCustomizationRole, ModelInferenceRole, ModelReadRole } from '../../lib';
import { targets } from './fixture';

function synth(build: (stack: Stack) => void): () => void {
  const app = new App();
  build(new Stack(app, 'Test'));
  return () => app.synth();
}
const lambda = () => new iam.ServicePrincipal('lambda.amazonaws.com');
const tagged = (value: string) =>
  new iam.AccountRootPrincipal().withConditions({ StringEquals: { 'aws:PrincipalTag/job': value } });
const inferenceRole = (stack: Stack, assumedBy: iam.IPrincipal) =>
  new ModelInferenceRole(stack, 'Invoker', { assumedBy, targets: [targets.fm] });
const readRole = (stack: Stack, assumedBy: iam.IPrincipal) =>
  new ModelReadRole(stack, 'Reader', { assumedBy, targets: [targets.fm] });

describe('merges through trust fail synth', () => {
  test('the same role trusted by an inference role and a customization role', () => {
    const run = synth((stack) => {
      const ci = new iam.Role(stack, 'CiRole', { assumedBy: new iam.AccountRootPrincipal() });
      inferenceRole(stack, ci);
      new ModelCustomizationRole(stack, 'Tuner', { assumedBy: ci, targets: [targets.fm] });
    });
    expect(run).toThrow(
      /Trust separation: .*CiRole.* is trusted by ModelInferenceRole 'Test\/Invoker' \(inference\) and ModelCustomizationRole 'Test\/Tuner' \(customization\)/,
    );
  });

  test('the same user trusted by a read role and an inference role', () => {
    const run = synth((stack) => {
      const alice = new iam.User(stack, 'Alice');
      readRole(stack, alice);
      inferenceRole(stack, alice);
    });
    expect(run).toThrow(
      /Trust separation: .*Alice.* is trusted by ModelReadRole 'Test\/Reader' \(read\) and ModelInferenceRole/,
    );
  });

  test('the account root trusted by both without a condition that tells callers apart', () => {
    const run = synth((stack) => {
      inferenceRole(stack, new iam.AccountRootPrincipal());
      new ModelCustomizationRole(stack, 'Tuner', {
        assumedBy: new iam.AccountRootPrincipal(),
        targets: [targets.fm],
      });
    });
    expect(run).toThrow(
      /Tell the callers apart with conditions that exclude each other: the same key with different values on each role/,
    );
  });

  test('the account root trusted by both, only one of them with a condition', () => {
    const run = synth((stack) => {
      inferenceRole(stack, tagged('app'));
      new ModelCustomizationRole(stack, 'Tuner', {
        assumedBy: new iam.AccountRootPrincipal(),
        targets: [targets.fm],
      });
    });
    expect(run).toThrow(/Trust separation/);
  });

  test('the account root trusted by both with the same condition', () => {
    const run = synth((stack) => {
      inferenceRole(stack, tagged('ml'));
      new ModelCustomizationRole(stack, 'Tuner', { assumedBy: tagged('ml'), targets: [targets.fm] });
    });
    expect(run).toThrow(/Trust separation/);
  });

  test('the account root trusted by both, conditions that differ but do not exclude each other', () => {
    // A tag on one role and a different key on the other: a caller tagged `app` meets both.
    const run = synth((stack) => {
      inferenceRole(stack, tagged('app'));
      new ModelCustomizationRole(stack, 'Tuner', {
        assumedBy: new iam.AccountRootPrincipal().withConditions({
          StringEquals: { 'aws:PrincipalTag/team': 'ml' },
        }),
        targets: [targets.fm],
      });
    });
    expect(run).toThrow(/Trust separation/);
  });

  test('the account root trusted by both, the one condition a session-name pin every user meets', () => {
    const pinned = () =>
      new iam.AccountRootPrincipal().withConditions({
        StringEquals: { 'sts:RoleSessionName': '${aws:username}' },
      });
    const run = synth((stack) => {
      inferenceRole(stack, pinned());
      new ModelCustomizationRole(stack, 'Tuner', { assumedBy: tagged('ml'), targets: [targets.fm] });
    });
    expect(run).toThrow(/Trust separation/);
  });

  test('a capability role trusted by a role of another capability', () => {
    const run = synth((stack) => {
      const tuner = new ModelCustomizationRole(stack, 'Tuner', {
        assumedBy: tagged('ml'),
        targets: [targets.fm],
      });
      inferenceRole(stack, tuner);
    });
    expect(run).toThrow(
      /ModelCustomizationRole 'Test\/Tuner' \(customization\) may assume ModelInferenceRole 'Test\/Invoker'/,
    );
  });

  test('a capability role allowed sts:AssumeRole on a role of another capability', () => {
    const run = synth((stack) => {
      const invoker = inferenceRole(stack, lambda());
      const reader = readRole(stack, tagged('analyst'));
      reader.addToPrincipalPolicy(
        new iam.PolicyStatement({ actions: ['sts:AssumeRole'], resources: [invoker.roleArn] }),
      );
    });
    expect(run).toThrow(
      /ModelReadRole 'Test\/Reader' \(read\) is allowed sts:AssumeRole on ModelInferenceRole 'Test\/Invoker'/,
    );
  });

  test('a statement added to an attached managed policy after attaching it is still seen', () => {
    const run = synth((stack) => {
      const invoker = inferenceRole(stack, lambda());
      const reader = readRole(stack, tagged('analyst'));
      const extra = new iam.ManagedPolicy(stack, 'Extra', {
        statements: [new iam.PolicyStatement({ actions: ['logs:*'], resources: ['*'] })],
      });
      reader.addManagedPolicy(extra);
      extra.addStatements(
        new iam.PolicyStatement({ actions: ['sts:AssumeRole'], resources: [invoker.roleArn] }),
      );
    });
    expect(run).toThrow(
      /ModelReadRole 'Test\/Reader' \(read\) is allowed sts:AssumeRole on ModelInferenceRole 'Test\/Invoker'/,
    );
  });

  test('a capability role that may pass roles of two capabilities', () => {
    const run = synth((stack) => {
      const invoker = inferenceRole(stack, lambda());
      const reader = readRole(stack, lambda());
      new ModelCustomizationRole(stack, 'Tuner', {
        assumedBy: tagged('ml'),
        targets: [targets.fm],
        serviceRoles: [invoker, reader],
      });
    });
    expect(run).toThrow(
      /ModelCustomizationRole 'Test\/Tuner' \(customization\) may pass .*Invoker.* and .*Reader.*Scope iam:PassRole to roles of one capability/,
    );
  });
});

describe('separate identities that look alike pass', () => {
  test('one service principal trusted by roles of two capabilities', () => {
    expect(
      synth((stack) => {
        inferenceRole(stack, lambda());
        readRole(stack, lambda());
      }),
    ).not.toThrow();
  });

  test('the account root trusted by both, each with its own principal tag', () => {
    expect(
      synth((stack) => {
        inferenceRole(stack, tagged('app'));
        new ModelCustomizationRole(stack, 'Tuner', { assumedBy: tagged('ml'), targets: [targets.fm] });
      }),
    ).not.toThrow();
  });

  test('the account root trusted by both, each with its own external id', () => {
    expect(
      synth((stack) => {
        new ModelInferenceRole(stack, 'Invoker', {
          assumedBy: new iam.AccountRootPrincipal(),
          externalIds: ['inference-7f3a'],
          targets: [targets.fm],
        });
        new ModelReadRole(stack, 'Reader', {
          assumedBy: new iam.AccountRootPrincipal(),
          externalIds: ['read-91c2'],
          targets: [targets.fm],
        });
      }),
    ).not.toThrow();
  });

  test('two roles of the same capability trusting the same role', () => {
    expect(
      synth((stack) => {
        const app = new iam.Role(stack, 'App', { assumedBy: lambda() });
        new ModelInferenceRole(stack, 'InvokerA', { assumedBy: app, targets: [targets.fm] });
        new ModelInferenceRole(stack, 'InvokerB', { assumedBy: app, targets: [targets.endpoint] });
      }),
    ).not.toThrow();
  });

  test('a customization role passing one service role', () => {
    expect(
      synth((stack) => {
        const service = new iam.Role(stack, 'Service', {
          assumedBy: new iam.ServicePrincipal('bedrock.amazonaws.com'),
        });
        new ModelCustomizationRole(stack, 'Tuner', {
          assumedBy: tagged('ml'),
          targets: [targets.fm],
          serviceRoles: [service],
        });
        inferenceRole(stack, lambda());
      }),
    ).not.toThrow();
  });
});
