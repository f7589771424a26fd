/**
 * IAM statements as plain data: what a control's fix or an effect's apply calls, with the resource
 * ARN patterns and conditions it needs. Core and the controls stay free of aws-cdk-lib; the infra
 * layer turns these into PolicyStatements (infra/permissions.ts).
 */

/** The account a statement is for (values or CloudFormation tokens/placeholders, left as they are). */
export interface IamScope {
  readonly partition: string;
  readonly account: string;
}

export interface IamStatement {
  /** Statements of several controls with one sid merge into one (actions and resources united). */
  readonly sid: string;
  readonly actions: readonly string[];
  readonly resources: readonly string[];
  readonly conditions?: Readonly<Record<string, Readonly<Record<string, string | readonly string[]>>>>;
}

/** API Gateway ARNs carry no account; `*` for the Region (stages live in every Region). */
export function apiGatewayArn(partition: string, path: string): string {
  return `arn:${partition}:apigateway:*::${path}`;
}

/** An API id is always 10 characters: `??????????` keeps a statement on the API itself, not below it. */
export const API_ID_PATTERN = '??????????';

function union(left: readonly string[], right: readonly string[]): string[] {
  return [...new Set([...left, ...right])];
}

/**
 * One statement per sid, in first-seen order, actions and resources united. Two statements with
 * one sid and different conditions would grant one's resources under the other's condition, so
 * that is a mistake in the catalog and fails.
 */
export function mergeIamStatements(statements: readonly IamStatement[]): IamStatement[] {
  const bySid = new Map<string, IamStatement>();
  for (const statement of statements) {
    const existing = bySid.get(statement.sid);
    if (existing === undefined) {
      bySid.set(statement.sid, statement);
      continue;
    }
    if (JSON.stringify(existing.conditions) !== JSON.stringify(statement.conditions)) {
      throw new Error(
        `IAM statement ${statement.sid} is declared twice with different conditions ` +
          `(${JSON.stringify(existing.conditions)} and ${JSON.stringify(statement.conditions)}); give one of them its own sid`,
      );
    }
    bySid.set(statement.sid, {
      ...existing,
      actions: union(existing.actions, statement.actions),
      resources: union(existing.resources, statement.resources),
    });
  }
  return [...bySid.values()];
}
