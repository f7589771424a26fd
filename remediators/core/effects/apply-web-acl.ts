/** The I/O half of the webAcl effect: find the web ACL by name, create it with its rules when absent. */
import { CreateWebACLCommand } from '@aws-sdk/client-wafv2';
import { errorName } from '../actions.js';
import { accountRegionKey } from '../cache.js';
import type { StageClients } from '../clients.js';
import { paginateListWebACLs } from '../paginators.js';
import type { ApplyEffect } from './context.js';
import { webAclVisibility, type WebAclEffect } from './web-acl.js';

async function findWebAclArn(name: string, clients: StageClients): Promise<string | undefined> {
  for await (const page of paginateListWebACLs(
    { client: clients.wafv2, pageSize: 100 },
    { Scope: 'REGIONAL' },
  )) {
    const found = page.WebACLs?.find((acl) => acl.Name === name);
    if (found?.ARN !== undefined) return found.ARN;
    // An empty page ends the listing even if it carries a marker.
    if (!page.WebACLs?.length) break;
  }
  return undefined;
}

export const applyWebAcl: ApplyEffect<WebAclEffect, StageClients> = async (
  effect,
  { ref, clients, cache },
) => {
  const { name } = effect;
  const key = `${accountRegionKey(ref)}:${name}`;
  const cached = cache.webAclArns.get(key);
  if (cached !== undefined) return { arn: cached, actions: [] };
  const existing = await findWebAclArn(name, clients);
  if (existing !== undefined) {
    cache.webAclArns.set(key, existing);
    return { arn: existing, actions: [] };
  }
  const tags = Object.entries(effect.tags).map(([Key, Value]) => ({ Key, Value }));
  try {
    const created = await clients.wafv2.send(
      new CreateWebACLCommand({
        Name: name,
        Scope: 'REGIONAL',
        Description: effect.description,
        DefaultAction: { Allow: {} },
        Rules: [...effect.rules],
        VisibilityConfig: webAclVisibility(name),
        // WAF rejects an empty Tags list (at least one item): no tags configured, no Tags field.
        ...(tags.length === 0 ? {} : { Tags: tags }),
      }),
    );
    const arn = created.Summary?.ARN;
    if (arn === undefined) throw new Error(`wafv2 CreateWebACL ${name} returned no ARN`);
    cache.webAclArns.set(key, arn);
    return {
      arn,
      actions: [{ action: 'CreateWebACL', resource: arn, detail: `${effect.summary} (REGIONAL)` }],
    };
  } catch (error) {
    if (errorName(error) !== 'WAFDuplicateItemException') throw error;
    // Created by a concurrent execution since our read.
    const raced = await findWebAclArn(name, clients);
    if (raced === undefined) throw error;
    cache.webAclArns.set(key, raced);
    return { arn: raced, actions: [] };
  }
};
