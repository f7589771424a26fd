/**
 * What the plan says about a stage's infrastructure-as-code owner (pure, docs/decisions/0029): who
 * it is, and for each failing control the template change that makes the fix permanent, in the
 * owner's own tool. Approvers, the Security Hub note and the CLI's `plan` read it from here.
 */
import { CATALOG, type Catalog } from '../controls/catalog.js';
import type { SourceFix } from '../controls/define-control.js';
import type { Protocol } from '../core/types.js';
import { describeOwner, type Owner } from './owner.js';
import type { IacSummary, SourceFixLine, SourceFixTool } from './schema.js';

/** Which tool's text an owner reads: CDK users change their construct, other stacks their template. */
export function sourceFixTool(owner: Owner): SourceFixTool | undefined {
  switch (owner.kind) {
    case 'cloudformation':
      return owner.tool === 'cdk' ? 'cdk' : 'cloudformation';
    case 'terraform':
      return 'terraform';
    case 'unmanaged':
      return undefined;
  }
}

const FIELD_OF: Readonly<Record<SourceFixTool, keyof SourceFix>> = {
  cloudformation: 'cloudFormation',
  cdk: 'cdk',
  terraform: 'terraform',
};

/** The source fix of each given control (those without one for the protocol are left out), in the owner's tool. */
export function sourceFixesFor(
  owner: Owner,
  protocol: Protocol,
  controlIds: readonly string[],
  catalog: Catalog = CATALOG,
): SourceFixLine[] {
  const tool = sourceFixTool(owner);
  if (tool === undefined) return [];
  const wanted = new Set(controlIds);
  return catalog.flatMap((control) => {
    const fix = wanted.has(control.id) ? control.sourceFix?.[protocol] : undefined;
    return fix === undefined ? [] : [{ controlId: control.id, tool, change: fix[FIELD_OF[tool]] }];
  });
}

/**
 * CloudFormation drift detection compares a resource's actual properties with the template's, so
 * an in-place fix of a managed stage shows as drift (CloudFormation user guide, "Detect unmanaged
 * configuration changes to stacks and resources with drift detection"), and the next stack update
 * writes the template's value back.
 */
function driftSentence(owner: Owner): string | undefined {
  if (owner.kind !== 'cloudformation') return undefined;
  return `an in-place fix makes stack ${owner.stackName} drift and its next deployment reverts it`;
}

export function iacSummary(
  owner: Owner,
  protocol: Protocol,
  failingControls: readonly string[],
  catalog: Catalog = CATALOG,
): IacSummary {
  const drift = driftSentence(owner);
  return {
    owner,
    ownerText: describeOwner(owner),
    sourceFixes: sourceFixesFor(owner, protocol, failingControls, catalog),
    ...(drift === undefined ? {} : { drift }),
  };
}
