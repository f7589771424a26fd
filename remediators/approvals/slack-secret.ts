/**
 * The Slack app's secrets, one Secrets Manager secret (env `SLACK_SECRET_ARN`) holding JSON:
 * `{"botToken": "xoxb-…", "signingSecret": "…", "linkSigningKey": "…"}`.
 * Read once per Lambda container and kept for a few minutes, so a rotation is picked up soon.
 */
import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import * as z from 'zod';

export const SlackSecretSchema = z.object({
  botToken: z.string().startsWith('xoxb-', 'a Slack bot token starts with xoxb-'),
  signingSecret: z.string().min(16, "the Slack app's signing secret (Basic Information → App Credentials)"),
  linkSigningKey: z.string().min(32, 'at least 32 random characters to sign approval links'),
});
export type SlackSecret = z.infer<typeof SlackSecretSchema>;

export const SLACK_SECRET_CACHE_MS = 5 * 60 * 1000;

export function parseSlackSecret(secretArn: string, secretString: string | undefined): SlackSecret {
  if (secretString === undefined)
    throw new Error(`secret ${secretArn} has no SecretString (binary secrets are not supported)`);
  let json: unknown;
  try {
    json = JSON.parse(secretString);
  } catch {
    throw new Error(
      `secret ${secretArn} is not JSON; expected {"botToken", "signingSecret", "linkSigningKey"}`,
    );
  }
  const parsed = SlackSecretSchema.safeParse(json);
  if (!parsed.success) {
    // Name the fields, never echo the secret's values.
    const problems = parsed.error.issues.map(
      (issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`,
    );
    throw new Error(`secret ${secretArn} is not a Slack approvals secret: ${problems.join('; ')}`);
  }
  return parsed.data;
}

/** Returns a loader that caches the parsed secret for {@link SLACK_SECRET_CACHE_MS}. */
export function slackSecretLoader(
  client: SecretsManagerClient,
  secretArn: string,
  clock: () => number = Date.now,
): () => Promise<SlackSecret> {
  let cached: { readonly value: Promise<SlackSecret>; readonly until: number } | undefined;
  return () => {
    if (cached === undefined || clock() >= cached.until) {
      const value = client
        .send(new GetSecretValueCommand({ SecretId: secretArn }))
        .then((answer) => parseSlackSecret(secretArn, answer.SecretString));
      // A failed read is not cached: the next request tries again.
      value.catch(() => {
        cached = undefined;
      });
      cached = { value, until: clock() + SLACK_SECRET_CACHE_MS };
    }
    return cached.value;
  };
}
