/** What the shell wrote, for the audit trail: every effect and every apply phase reports these. */
export type ActionName =
  | 'CreateLogGroup'
  | 'PutRetentionPolicy'
  | 'CreateWebACL'
  | 'UpdateAccount'
  | 'UpdateRestApi'
  | 'UpdateApi'
  | 'CreateDeployment'
  | 'UpdateStage'
  | 'AssociateWebACL';

/** One write the service made, for the audit trail. */
export interface ActionTaken {
  readonly action: ActionName;
  /** What was written: a log group name, an ARN, `{apiId}/{stageName}`… */
  readonly resource: string;
  readonly detail: string;
}

export function errorName(error: unknown): string | undefined {
  return error instanceof Error ? error.name : undefined;
}
