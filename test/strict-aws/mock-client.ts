/**
 * aws-sdk-client-mock's `mockClient` under the strict AWS model (recorder.ts): kept apart so that
 * code importing the recorder (the seeding helpers, the bench, the demo) does not load sinon.
 */
import { mockClient, type AwsClientStub } from 'aws-sdk-client-mock';
import { recording, type Send } from './recorder.js';

/**
 * aws-sdk-client-mock's `mockClient`, with the stub's calls recorded like real ones: the stub
 * replaces `send` on the client's prototype, in front of the recorded base `send`.
 */
export function mockClientUnderStrictModel<TClient extends object>(
  client: new (...args: never) => TClient,
): AwsClientStub<TClient> {
  const stub = mockClient(client as never) as unknown as AwsClientStub<TClient>;
  const prototype = client.prototype as { send: Send & { restore?: () => void } };
  const stubbed = prototype.send;
  const recorded = Object.assign(recording(stubbed), {
    // What aws-sdk-client-mock checks to restore a stub before it stubs again.
    isSinonProxy: true,
    restore: () => stubbed.restore?.(),
  });
  prototype.send = recorded;
  return stub;
}
