/**
 * The environment variables the approval Lambdas read, validated once per cold start with
 * errors that name the variable, quote its value and say what was expected.
 */
import * as z from 'zod';
import { SLACK_CHANNEL_ID_PATTERN } from '../../config/schema.js';

const common = {
  /** DynamoDB approvals table (partition key `approvalId` S, TTL attribute `ttl`). */
  APPROVALS_TABLE_NAME: z.string({ error: 'the DynamoDB approvals table name' }).min(1),
  /** Secrets Manager secret with {"botToken", "signingSecret", "linkSigningKey"}. */
  SLACK_SECRET_ARN: z.string({ error: 'the ARN or name of the Slack secret' }).min(1),
  /** Slack Web API base URL; only set to point at a local fake Slack in tests and demos. */
  SLACK_API_BASE_URL: z.url({ error: 'an http(s) URL such as https://slack.com/api' }).optional(),
};

export const ApprovalApiEnvironmentSchema = z.object({
  ...common,
  /** The remediation state machine the Slack Undo button starts (set by the CDK app). */
  STATE_MACHINE_ARN: z
    .string()
    .regex(/^arn:aws[a-z-]*:states:[a-z0-9-]+:\d{12}:stateMachine:[\w-]+$/, {
      error: 'a Step Functions state machine ARN',
    })
    .optional(),
});
export type ApprovalApiEnvironment = z.infer<typeof ApprovalApiEnvironmentSchema>;

export const RequestApprovalEnvironmentSchema = z.object({
  ...common,
  /**
   * The Slack channel approval requests are posted to, set by the CDK app from the configuration
   * file or the `slackChannelId` context (config/deployability.ts); wins over the bundled file's
   * `approval.slack.channelId`.
   */
  SLACK_CHANNEL_ID: z
    .string()
    .regex(SLACK_CHANNEL_ID_PATTERN, { error: 'a Slack channel id such as C0123456789' })
    .optional(),
  /** Public base URL of the approval REST API (with its stage), used to build signed links. */
  APPROVAL_BASE_URL: z.url({
    error: 'the approval API URL such as https://abc123.execute-api.eu-west-1.amazonaws.com/prod',
  }),
});
export type RequestApprovalEnvironment = z.infer<typeof RequestApprovalEnvironmentSchema>;

export function readEnvironment<T>(
  schema: z.ZodType<T>,
  env: Readonly<Record<string, string | undefined>>,
  handlerName: string,
): T {
  const parsed = schema.safeParse(env);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => {
    const name = String(issue.path[0]);
    const value = env[name];
    return `${name}=${value === undefined ? '(unset)' : JSON.stringify(value)}: expected ${issue.message}`;
  });
  throw new Error(`${handlerName} environment is invalid: ${problems.join('; ')}`);
}
