/**
 * Builds a catalog entry from what differs between controls: which stages it applies to, how it
 * inspects one, its parameters, default mode, IAM and docs. Applicability, reasons, reporting and
 * empty plans are decided here, once, so every control behaves the same way at those edges.
 *
 * A catalog entry is everything derived from it needs (the config schema and defaults, the member
 * role's statements, the docs table); `bind` turns it into the core's {@link Control}, a control
 * bound to its resolved parameters, which is all core ever sees.
 */
import * as z from 'zod';
import type { Effect, EffectKind } from '../core/effects/index.js';
import type { IamScope, IamStatement } from '../core/iam.js';
import { DEPLOYMENT_AFTER, DEPLOYMENT_SETTING } from '../core/types.js';
import type {
  Control,
  ControlId,
  ControlKind,
  ControlPlan,
  Evaluation,
  PlannedChange,
  Protocol,
  RestStageSnapshot,
  SnapshotPart,
  StageSnapshot,
  V2StageSnapshot,
} from '../core/types.js';
import type { ResourceSettings } from './resources.js';
import type { BoundUndo, UndoDeclaration } from './undo.js';

export const CONTROL_MODES = ['auto', 'approve', 'notify', 'off'] as const;
export type ControlMode = (typeof CONTROL_MODES)[number];

/** Reporting controls are evaluated and reported, never changed: only these modes make sense for them. */
export const REPORT_ONLY_MODES = ['notify', 'off'] as const satisfies readonly ControlMode[];
export type ReportingMode = (typeof REPORT_ONLY_MODES)[number];

/** What a control found on a stage it applies to. */
export type Inspection =
  | { readonly compliant: true; readonly reason: string }
  | {
      readonly compliant: false;
      /** One sentence per failing setting, naming the setting, its value and what is expected. */
      readonly problems: readonly string[];
      /** The fixes, each a human before → after plus the machine operation; empty for report-only controls. */
      readonly changes: readonly PlannedChange[];
    };

/** The usual ending of an inspection that walks several settings: compliant when nothing failed. */
export function inspectionOf(
  problems: readonly string[],
  changes: readonly PlannedChange[],
  passReason: string,
): Inspection {
  return problems.length === 0
    ? { compliant: true, reason: passReason }
    : { compliant: false, problems, changes };
}

/** What a control's inspection and prerequisites read besides the snapshot. */
export interface ControlContext<Params> {
  /** The control's own parameters (configuration `parameters.<id>`, defaults from its `params`). */
  readonly params: Params;
  /** The shared settings of the resources the effects create (configuration `resources`). */
  readonly resources: ResourceSettings;
}

/** The scope a control's IAM statements are for: the account, and the resources' names. */
export interface ControlIamScope extends IamScope {
  readonly resources: ResourceSettings;
}

/** A control's parameters: a zod object whose every field has a default (the whole object may be omitted). */
export type ParamsSchema = z.ZodObject;

/** The parameters of a control that has none: its configuration section must stay empty. */
export const NO_PARAMS = z.object({}).strict();

interface CommonDefinition<Id extends string, Params extends ParamsSchema> {
  readonly id: Id;
  readonly title: string;
  readonly appliesTo: readonly Protocol[];
  readonly needs: readonly SnapshotPart[];
  readonly params: Params;
  /** Required when appliesTo contains REST. */
  readonly inspectRest?: (
    snapshot: RestStageSnapshot,
    context: ControlContext<z.output<Params>>,
  ) => Inspection;
  /** Required when appliesTo contains HTTP or WEBSOCKET. */
  readonly inspectV2?: (
    snapshot: V2StageSnapshot,
    context: ControlContext<z.output<Params>>,
    protocol: Protocol,
  ) => Inspection;
}

/** The text of a fixing control's row in docs/controls.md (scripts/generate-catalog-artefacts.ts). */
export interface ControlDocs {
  /** When the fix needs a deployment, e.g. `no` or `REST never; V2 without auto-deploy`. */
  readonly redeploy: string;
  /** What must exist first, e.g. `access log group, account CloudWatch role`; `—` for nothing. */
  readonly prerequisites: string;
}

/**
 * The template change that makes a fixing control's fix permanent (docs/decisions/0029): a stage
 * that CloudFormation (CDK, SAM, Serverless Framework) or Terraform deploys gets its old value back
 * on the next deployment, so the approver, the Security Hub note and the CLI's `plan` name the
 * change to make at the source. One sentence per tool, checked against each tool's reference.
 */
export interface SourceFix {
  /** The resource type and property, e.g. `AWS::ApiGateway::Stage TracingEnabled: true`. */
  readonly cloudFormation: string;
  /** The CDK (aws-cdk-lib v2) construct option, e.g. `RestApi deployOptions.tracingEnabled: true`. */
  readonly cdk: string;
  /** The Terraform AWS provider resource argument, e.g. `aws_api_gateway_stage.xray_tracing_enabled = true`. */
  readonly terraform: string;
}

/** A source fix per protocol the control applies to: REST, HTTP and WebSocket stages are different resources. */
export type SourceFixes = Partial<Readonly<Record<Protocol, SourceFix>>>;

export interface FixingDefinition<Id extends string, Params extends ParamsSchema> extends CommonDefinition<
  Id,
  Params
> {
  readonly kind: 'fixing';
  readonly defaultMode: ControlMode;
  /** The effect kinds {@link prerequisites} may return: their IAM joins the control's. */
  readonly effects?: readonly EffectKind[];
  /** Resources the changes depend on (only asked when there are changes). */
  readonly prerequisites?: (
    snapshot: StageSnapshot,
    context: ControlContext<z.output<Params>>,
  ) => readonly Effect[];
  /**
   * Whether the changes take effect only after a deployment (only asked when there are changes).
   * Only a V2 stage without autoDeploy can need one: REST stages take API-level changes with the
   * stage update (see baseline-default-endpoint.ts).
   */
  readonly redeploy?: (snapshot: StageSnapshot) => boolean;
  /** What the control's own operations call (the effects' IAM is added from {@link effects}). */
  readonly iam: (scope: ControlIamScope) => readonly IamStatement[];
  readonly docs: ControlDocs;

  // Undo (issue 12, controls/undo.ts): how each change the plan makes is taken back.
  /** The step that reads a setting this control changes and restores its ledger `before`. */
  readonly undo: UndoDeclaration<ControlContext<z.output<Params>>>;
  /** Snapshot parts the undo reads besides the stage (e.g. 'api' for an API-level setting). */
  readonly undoNeeds?: readonly SnapshotPart[];
  /** The template change per protocol of `appliesTo` (each must have one). */
  readonly sourceFix: SourceFixes;
}

export interface ReportingDefinition<Id extends string, Params extends ParamsSchema> extends CommonDefinition<
  Id,
  Params
> {
  readonly kind: 'reporting';
  readonly defaultMode: ReportingMode;
}

export type ControlDefinition<Id extends string, Params extends ParamsSchema> =
  FixingDefinition<Id, Params> | ReportingDefinition<Id, Params>;

/** The fields of a definition that say what a control is, not what it does. */
type MetaKey = 'id' | 'title' | 'appliesTo' | 'kind' | 'defaultMode' | 'params';

/**
 * What a control is, apart from what it does: all the configuration (its schema, defaults and
 * modes), the intake and the event rules read. Each control file exports it beside the control
 * built from it (`defineControl(meta, behaviour)`), and catalog-meta.ts lists them, so a bundle
 * that reads only this (the intake) leaves the inspections, plans, undo and texts out
 * (docs/decisions/0021).
 */
export type ControlMeta<Id extends string = string, Params extends ParamsSchema = ParamsSchema> =
  Pick<FixingDefinition<Id, Params>, MetaKey> | Pick<ReportingDefinition<Id, Params>, MetaKey>;

/** What a fixing control does: the rest of its {@link FixingDefinition}. */
export type FixingBehaviour<Params extends ParamsSchema> = Omit<FixingDefinition<string, Params>, MetaKey>;

/** What a reporting control does: the rest of its {@link ReportingDefinition}. */
export type ReportingBehaviour<Params extends ParamsSchema> = Omit<
  ReportingDefinition<string, Params>,
  MetaKey
>;

/** One control of the catalog: everything the derived artefacts read, and `bind` for core. */
export interface CatalogControl<Id extends string = string, Params extends ParamsSchema = ParamsSchema> {
  readonly id: Id;
  readonly title: string;
  readonly appliesTo: readonly Protocol[];
  readonly kind: ControlKind;
  readonly defaultMode: ControlMode;
  readonly needs: readonly SnapshotPart[];
  readonly params: Params;
  /** Effect kinds the fix may ask for; empty for reporting controls. */
  readonly effects: readonly EffectKind[];
  /** The control's own IAM statements; empty for reporting controls. */
  iam(scope: ControlIamScope): readonly IamStatement[];
  /** Undefined for reporting controls (their row reads `—`). */
  readonly docs: ControlDocs | undefined;
  /** The template change that makes the fix permanent, per protocol; undefined for reporting controls. */
  readonly sourceFix: SourceFixes | undefined;
  /** The control as core runs it, with its parameters resolved (parsed by the configuration). */
  bind(params: z.output<Params>, resources: ResourceSettings): Control;

  // Undo (issue 12, controls/undo.ts).
  /** Snapshot parts the undo reads; empty for reporting controls. */
  readonly undoNeeds: readonly SnapshotPart[];
  /** The control's undo bound to its parameters; undefined for reporting controls (they change nothing). */
  bindUndo(params: z.output<Params>, resources: ResourceSettings): BoundUndo | undefined;
}

/**
 * A catalog as far as what its controls are: CATALOG_META, or any catalog of whole controls. The
 * configuration schema, the default modes and the id lists are derived from one.
 */
export type MetaCatalog = readonly Pick<CatalogControl, MetaKey>[];

/**
 * The protocol of the snapshot's API. A V2 stage ARN does not say HTTP or WEBSOCKET, so V2
 * snapshots must carry the 'api' part (snapshotPartsFor always asks for it).
 */
export function protocolOf(snapshot: StageSnapshot): Protocol {
  if (snapshot.apiType === 'REST') return 'REST';
  if (snapshot.api === undefined) {
    const { apiId, stageName } = snapshot.ref;
    throw new Error(
      `V2 stage ${apiId}/${stageName}: the snapshot has parts [${snapshot.parts.join(', ')}] but no 'api'; ` +
        'the protocol (HTTP or WEBSOCKET) is read from GetApi, so the snapshot must include the api part',
    );
  }
  return snapshot.api.protocol;
}

/**
 * A part the control declared in `needs`: the shell must have read it. Failing loudly beats
 * evaluating an unread part as empty (no custom domains, no routes) and passing a stage.
 */
export function requirePart<T>(
  controlId: ControlId,
  snapshot: StageSnapshot,
  part: SnapshotPart,
  value: T | undefined,
): T {
  if (value === undefined) {
    const { apiId, stageName } = snapshot.ref;
    throw new Error(
      `${controlId} needs the '${part}' part of stage ${apiId}/${stageName}, but the snapshot has only [${snapshot.parts.join(', ')}]`,
    );
  }
  return value;
}

function describeProtocols(protocols: readonly Protocol[]): string {
  return protocols.length === 1
    ? `${protocols[0]}`
    : `${protocols.slice(0, -1).join(', ')} and ${protocols.at(-1)}`;
}

/**
 * A deployment is a change of its own, listed with the control's changes so the approver, the
 * note and the notification all say it: `deployment: {current deployment id} → publishes the
 * API's current definition` (CreateDeployment snapshots the API as it is, including changes
 * nobody has released yet).
 */
function deploymentChange(snapshot: StageSnapshot): PlannedChange {
  return {
    change: {
      setting: DEPLOYMENT_SETTING,
      before: snapshot.stage.deploymentId ?? null,
      after: DEPLOYMENT_AFTER,
    },
    operation: { kind: 'createDeployment' },
  };
}

/**
 * A catalog entry from its definition; or from its metadata and its behaviour, the same as from
 * `{ ...meta, ...behaviour }`. Control files use the second form, called `/* @__PURE__ *\/`: the
 * call takes the metadata by reference (a spread is an access esbuild must keep), so a bundle that
 * uses only the metadata drops the call and with it every function and text of the behaviour.
 */
export function defineControl<const Id extends string, Params extends ParamsSchema>(
  definition: ControlDefinition<Id, Params>,
): CatalogControl<Id, Params>;
export function defineControl<const Id extends string, Params extends ParamsSchema>(
  meta: Pick<FixingDefinition<Id, Params>, MetaKey>,
  behaviour: FixingBehaviour<Params>,
): CatalogControl<Id, Params>;
export function defineControl<const Id extends string, Params extends ParamsSchema>(
  meta: Pick<ReportingDefinition<Id, Params>, MetaKey>,
  behaviour: ReportingBehaviour<Params>,
): CatalogControl<Id, Params>;
export function defineControl<const Id extends string, Params extends ParamsSchema>(
  metaOrDefinition: ControlDefinition<Id, Params> | ControlMeta<Id, Params>,
  behaviour?: FixingBehaviour<Params> | ReportingBehaviour<Params>,
): CatalogControl<Id, Params> {
  // The overloads pair fixing metadata with fixing behaviour and reporting with reporting.
  const definition = (
    behaviour === undefined ? metaOrDefinition : { ...metaOrDefinition, ...behaviour }
  ) as ControlDefinition<Id, Params>;
  const { id, title, appliesTo, kind, defaultMode, needs, params } = definition;
  const needsRest = appliesTo.includes('REST');
  const needsV2 = appliesTo.some((protocol) => protocol !== 'REST');
  if ((needsRest && !definition.inspectRest) || (needsV2 && !definition.inspectV2)) {
    throw new Error(`${id} applies to [${appliesTo.join(', ')}] but lacks an inspector for one of them`);
  }
  if (definition.kind === 'fixing') {
    const missing = appliesTo.filter((protocol) => definition.sourceFix[protocol] === undefined);
    if (missing.length > 0) {
      throw new Error(
        `${id} applies to [${appliesTo.join(', ')}] but declares no source fix for ${missing.join(', ')}`,
      );
    }
  }
  // Stryker disable next-line ConditionalExpression: equivalent, a ReportingDefinition has no effects field
  const effects = definition.kind === 'fixing' ? (definition.effects ?? []) : [];

  function bind(resolved: z.output<Params>, resources: ResourceSettings): Control {
    const context: ControlContext<z.output<Params>> = { params: resolved, resources };

    /** Undefined when the control does not apply to the snapshot's protocol. */
    function inspect(snapshot: StageSnapshot): Inspection | undefined {
      const protocol = protocolOf(snapshot);
      if (!appliesTo.includes(protocol)) return undefined;
      // Stryker disable OptionalChaining: equivalent, defineControl refuses a definition without the inspector for a protocol it applies to
      return snapshot.apiType === 'REST'
        ? definition.inspectRest?.(snapshot, context)
        : definition.inspectV2?.(snapshot, context, protocol);
      // Stryker restore OptionalChaining
    }

    function evaluate(snapshot: StageSnapshot): Evaluation {
      const inspection = inspect(snapshot);
      if (inspection === undefined) {
        return {
          controlId: id,
          status: 'NOT_APPLICABLE',
          reason: `${id} applies only to ${describeProtocols(appliesTo)} stages; this stage's API protocol is ${protocolOf(snapshot)}`,
        };
      }
      if (inspection.compliant) {
        return { controlId: id, status: 'COMPLIANT', reason: inspection.reason };
      }
      return { controlId: id, status: 'NON_COMPLIANT', reason: inspection.problems.join('; ') };
    }

    function plan(snapshot: StageSnapshot): ControlPlan {
      const inspection = inspect(snapshot);
      if (definition.kind === 'reporting' || inspection === undefined || inspection.compliant) {
        return { controlId: id, changes: [], prerequisites: [], redeploy: false };
      }
      const { changes } = inspection;
      if (changes.length === 0) {
        return { controlId: id, changes: [], prerequisites: [], redeploy: false };
      }
      const redeploy = definition.redeploy?.(snapshot) ?? false;
      const prerequisites = definition.prerequisites?.(snapshot, context) ?? [];
      const undeclared = prerequisites.filter((effect) => !effects.includes(effect.kind));
      if (undeclared.length > 0) {
        // The member role is derived from `effects`: an undeclared effect would be denied by IAM.
        throw new Error(
          `${id} asked for ${undeclared.map((effect) => effect.kind).join(', ')} but declares only the effects [${effects.join(', ')}]`,
        );
      }
      return {
        controlId: id,
        changes: redeploy ? [...changes, deploymentChange(snapshot)] : changes,
        prerequisites,
        redeploy,
      };
    }

    return { id, title, appliesTo, kind, needs, evaluate, plan };
  }

  return {
    id,
    title,
    appliesTo,
    kind,
    defaultMode,
    needs,
    params,
    effects,
    iam: (scope) => (definition.kind === 'fixing' ? definition.iam(scope) : []),
    // Stryker disable next-line ConditionalExpression: equivalent, a ReportingDefinition has no docs field
    docs: definition.kind === 'fixing' ? definition.docs : undefined,
    // Stryker disable next-line ConditionalExpression: equivalent for `true`, a ReportingDefinition has no sourceFix field; `false` is pinned by define-control.test.ts (a fixing control keeps its source fix)
    sourceFix: definition.kind === 'fixing' ? definition.sourceFix : undefined,
    bind,
    undoNeeds: definition.kind === 'fixing' ? ['stage', ...(definition.undoNeeds ?? [])] : [],
    bindUndo: (resolved, resources) => {
      if (definition.kind !== 'fixing') return undefined;
      const context: ControlContext<z.output<Params>> = { params: resolved, resources };
      return (setting, snapshot) => definition.undo(setting, snapshot, context);
    },
  };
}
