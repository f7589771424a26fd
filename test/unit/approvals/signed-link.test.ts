import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  APPROVAL_ID_PATTERN,
  approvalLink,
  csrfToken,
  isCsrfNonce,
  newApprovalId,
  newCsrfNonce,
  linkSignature,
  verifyApprovalLink,
  verifyCsrfToken,
} from '../../../remediators/approvals/signed-link.js';

const KEY = 'link-signing-key-for-unit-tests-0123456789';
const EXPIRES = 1_795_000_000;

function linkParts(link: string) {
  const url = new URL(link);
  return {
    approvalId: url.pathname.split('/').at(-1) ?? '',
    exp: url.searchParams.get('exp') ?? undefined,
    sig: url.searchParams.get('sig') ?? undefined,
  };
}

describe('approval ids', () => {
  it('are 128-bit, URL-safe and unique', () => {
    const ids = new Set(Array.from({ length: 1000 }, newApprovalId));
    expect(ids.size).toBe(1000);
    for (const id of ids) {
      expect(id).toMatch(APPROVAL_ID_PATTERN);
      expect(Buffer.from(id, 'base64url')).toHaveLength(16);
    }
  });
});

describe('signed links', () => {
  const approvalId = newApprovalId();
  const link = approvalLink('https://abc123.execute-api.us-east-1.amazonaws.com/prod/', KEY, {
    approvalId,
    expiresAtEpoch: EXPIRES,
  });

  it('point at /approvals/{id} under the base URL and carry exp and sig', () => {
    const url = new URL(link);
    expect(url.origin + url.pathname).toBe(
      `https://abc123.execute-api.us-east-1.amazonaws.com/prod/approvals/${approvalId}`,
    );
    expect(url.searchParams.get('exp')).toBe(String(EXPIRES));
    expect(url.searchParams.get('sig')).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('verify before expiry and report expiry after it', () => {
    expect(verifyApprovalLink(KEY, linkParts(link), EXPIRES - 1)).toEqual({
      status: 'valid',
      link: { approvalId, expiresAtEpoch: EXPIRES },
    });
    expect(verifyApprovalLink(KEY, linkParts(link), EXPIRES)).toEqual({
      status: 'expired',
      link: { approvalId, expiresAtEpoch: EXPIRES },
    });
  });

  it('are forbidden when the id, the expiry or the signature is changed, or the key differs', () => {
    const parts = linkParts(link);
    const otherId = newApprovalId();
    expect(verifyApprovalLink(KEY, { ...parts, approvalId: otherId }, EXPIRES - 1)).toEqual({
      status: 'forbidden',
    });
    expect(verifyApprovalLink(KEY, { ...parts, exp: String(EXPIRES + 3600) }, EXPIRES - 1)).toEqual({
      status: 'forbidden',
    });
    expect(verifyApprovalLink(`${KEY}x`, parts, EXPIRES - 1)).toEqual({ status: 'forbidden' });
    expect(verifyApprovalLink(KEY, { ...parts, sig: undefined }, EXPIRES - 1)).toEqual({
      status: 'forbidden',
    });
    expect(verifyApprovalLink(KEY, { ...parts, exp: undefined }, EXPIRES - 1)).toEqual({
      status: 'forbidden',
    });
    expect(verifyApprovalLink(KEY, { ...parts, approvalId: '../../etc' }, EXPIRES - 1)).toEqual({
      status: 'forbidden',
    });
  });

  it('accept the expiry only in its one canonical form: no leading zero, sign or spaces', () => {
    const parts = linkParts(link);
    for (const exp of [`0${EXPIRES}`, `00${EXPIRES}`, `+${EXPIRES}`, ` ${EXPIRES}`, `${EXPIRES}.0`, '0']) {
      expect(verifyApprovalLink(KEY, { ...parts, exp }, EXPIRES - 1), exp).toEqual({ status: 'forbidden' });
    }
    // Even signed with the padded value: the signer never produces it, so it is never valid.
    const padded = { approvalId, expiresAtEpoch: EXPIRES };
    expect(
      verifyApprovalLink(
        KEY,
        { approvalId, exp: `0${EXPIRES}`, sig: linkSignature(KEY, padded) },
        EXPIRES - 1,
      ),
    ).toEqual({ status: 'forbidden' });
  });

  it('are forbidden for an approval id of the wrong shape, even when the signature is right for it', () => {
    for (const malformed of [
      'short',
      `${approvalId}x`,
      `${approvalId.slice(1)}=`,
      '../../etc/passwd0000000',
    ]) {
      const sig = linkSignature(KEY, { approvalId: malformed, expiresAtEpoch: EXPIRES });
      expect(
        verifyApprovalLink(KEY, { approvalId: malformed, exp: String(EXPIRES), sig }, EXPIRES - 1),
        malformed,
      ).toEqual({ status: 'forbidden' });
    }
  });

  it('accept an expiry of one to twelve digits and refuse a thirteen-digit one, even signed', () => {
    const check = (expiresAtEpoch: number, now: number) =>
      verifyApprovalLink(
        KEY,
        linkParts(approvalLink('https://example.com/prod', KEY, { approvalId, expiresAtEpoch })),
        now,
      );
    expect(check(9, 8)).toEqual({ status: 'valid', link: { approvalId, expiresAtEpoch: 9 } });
    expect(check(999_999_999_999, EXPIRES)).toEqual({
      status: 'valid',
      link: { approvalId, expiresAtEpoch: 999_999_999_999 },
    });
    expect(check(1_000_000_000_000, EXPIRES)).toEqual({ status: 'forbidden' });
  });

  it('refuse an expiry with anything before or after its digits, even signed with that value', () => {
    for (const exp of [`x${EXPIRES}`, `${EXPIRES}x`, `${EXPIRES}\n`]) {
      // The signer only signs numbers; sign the message a tampered value would produce.
      const sig = linkSignature(KEY, { approvalId, expiresAtEpoch: exp as unknown as number });
      expect(verifyApprovalLink(KEY, { approvalId, exp, sig }, EXPIRES - 1), exp).toEqual({
        status: 'forbidden',
      });
    }
  });

  it('sit under the base URL with or without trailing slashes, never doubling one', () => {
    for (const base of [
      'https://example.com/prod',
      'https://example.com/prod/',
      'https://example.com/prod//',
    ]) {
      const url = new URL(approvalLink(base, KEY, { approvalId, expiresAtEpoch: EXPIRES }));
      expect(url.origin + url.pathname, base).toBe(`https://example.com/prod/approvals/${approvalId}`);
    }
  });

  it('are forbidden for any one-character change of the signature', () => {
    const parts = linkParts(link);
    const sig = parts.sig ?? '';
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    fc.assert(
      fc.property(fc.nat(sig.length - 1), fc.constantFrom(...alphabet), (index, replacement) => {
        fc.pre(sig[index] !== replacement);
        const tampered = sig.slice(0, index) + replacement + sig.slice(index + 1);
        expect(verifyApprovalLink(KEY, { ...parts, sig: tampered }, EXPIRES - 1)).toEqual({
          status: 'forbidden',
        });
      }),
    );
  });
});

describe('CSRF tokens', () => {
  const approvalId = newApprovalId();
  const nonce = newCsrfNonce();
  const token = csrfToken(KEY, approvalId, nonce);

  it('verify with the same id and cookie nonce', () => {
    expect(verifyCsrfToken(KEY, approvalId, nonce, token)).toBe(true);
  });

  it('fail without the cookie, with another nonce, for another approval, or without a token', () => {
    expect(verifyCsrfToken(KEY, approvalId, undefined, token)).toBe(false);
    expect(verifyCsrfToken(KEY, approvalId, newCsrfNonce(), token)).toBe(false);
    expect(verifyCsrfToken(KEY, newApprovalId(), nonce, token)).toBe(false);
    expect(verifyCsrfToken(KEY, approvalId, nonce, undefined)).toBe(false);
    expect(verifyCsrfToken(KEY, approvalId, 'not a nonce', csrfToken(KEY, approvalId, 'not a nonce'))).toBe(
      false,
    );
  });

  it('refuse a token of the wrong length instead of throwing', () => {
    expect(verifyCsrfToken(KEY, approvalId, nonce, token.slice(1))).toBe(false);
    expect(verifyCsrfToken(KEY, approvalId, nonce, `${token}A`)).toBe(false);
    expect(verifyCsrfToken(KEY, approvalId, nonce, '')).toBe(false);
    // As many characters as a token but more bytes: the comparison is over bytes.
    expect(verifyCsrfToken(KEY, approvalId, nonce, 'é'.repeat(token.length))).toBe(false);
  });

  it('refuse a token made with another key', () => {
    expect(verifyCsrfToken(KEY, approvalId, nonce, csrfToken(`${KEY}x`, approvalId, nonce))).toBe(false);
  });
});

describe('CSRF nonces', () => {
  it('are 22 base64url characters (128 bits), fresh each time', () => {
    const nonces = new Set(Array.from({ length: 100 }, newCsrfNonce));
    expect(nonces.size).toBe(100);
    for (const nonce of nonces) {
      expect(isCsrfNonce(nonce)).toBe(true);
      expect(Buffer.from(nonce, 'base64url')).toHaveLength(16);
    }
  });

  it('are told apart from a missing cookie and from a value of another length or alphabet', () => {
    const nonce = newCsrfNonce();
    expect(isCsrfNonce(undefined)).toBe(false);
    expect(isCsrfNonce('')).toBe(false);
    expect(isCsrfNonce(nonce.slice(1))).toBe(false);
    expect(isCsrfNonce(`${nonce}A`)).toBe(false);
    expect(isCsrfNonce(`${nonce.slice(1)}=`)).toBe(false);
    expect(isCsrfNonce(`${nonce.slice(1)}/`)).toBe(false);
  });
});
