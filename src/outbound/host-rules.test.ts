import { describe, expect, it } from 'vitest';
import { isAllowedHost, nonPublicRangeOf } from './host-rules.ts';

const hostnameOf = (url: string) => new URL(url).hostname;

describe('isAllowedHost', () => {
  const slackHosts = ['files.slack.com', '*.slack.com', '.slack-edge.com'];

  it('matches exact names case-insensitively, ignoring a trailing root dot', () => {
    expect(isAllowedHost('cdn.discordapp.com', ['cdn.discordapp.com'])).toBe(true);
    expect(isAllowedHost(hostnameOf('https://CDN.DiscordApp.com./a.png'), ['cdn.discordapp.com'])).toBe(true);
    expect(isAllowedHost('evil-cdn.discordapp.com', ['cdn.discordapp.com'])).toBe(false);
    expect(isAllowedHost('cdn.discordapp.com.evil.example', ['cdn.discordapp.com'])).toBe(false);
  });

  it('matches suffix patterns below the domain only, never the lookalike or the apex', () => {
    expect(isAllowedHost('files.slack.com', slackHosts)).toBe(true);
    expect(isAllowedHost('a.b.slack.com', slackHosts)).toBe(true);
    expect(isAllowedHost('ca.slack-edge.com', slackHosts)).toBe(true);
    expect(isAllowedHost('slack-edge.com', slackHosts)).toBe(false);
    expect(isAllowedHost('evilslack.com', slackHosts)).toBe(false);
    expect(isAllowedHost('slack.com.evil.example', slackHosts)).toBe(false);
  });

  it('matches IP literals exactly, with or without brackets, and never by suffix', () => {
    expect(isAllowedHost(hostnameOf('http://[::1]:8080/'), ['::1'])).toBe(true);
    expect(isAllowedHost('127.0.0.1', ['[127.0.0.1]'])).toBe(true);
    expect(isAllowedHost('10.0.0.1', ['*.0.0.1'])).toBe(false);
    expect(isAllowedHost('anything', [])).toBe(false);
    expect(isAllowedHost('anything', [''])).toBe(false);
  });
});

describe('nonPublicRangeOf', () => {
  it('refuses the cloud metadata addresses in every spelling', () => {
    for (const address of ['169.254.169.254', '::ffff:169.254.169.254', '::ffff:a9fe:a9fe', '[::ffff:a9fe:a9fe]', '64:ff9b::a9fe:a9fe', '::169.254.169.254', '2002:a9fe:a9fe::1', 'fd00:ec2::254', '100.100.100.200', '192.0.0.192']) {
      expect(nonPublicRangeOf(address), address).toBeDefined();
    }
    expect(nonPublicRangeOf('169.254.169.254')).toContain('metadata');
  });

  it('refuses loopback, private, link-local, ULA and carrier-grade NAT ranges at their edges', () => {
    for (const address of ['127.0.0.1', '127.255.255.255', '0.0.0.0', '10.255.255.255', '172.16.0.0', '172.31.255.255', '192.168.1.1', '100.64.0.1', '100.127.255.255', '::1', '::', 'fe80::1', 'febf::1', 'fe80::1%eth0', 'fc00::1', 'fdff::1', '::ffff:127.0.0.1', '::ffff:10.0.0.1', '255.255.255.255', '224.0.0.1']) {
      expect(nonPublicRangeOf(address), address).toBeDefined();
    }
  });

  it('lets public addresses through, including neighbours of the refused ranges', () => {
    for (const address of ['8.8.8.8', '172.15.255.255', '172.32.0.0', '100.63.255.255', '100.128.0.0', '169.253.255.255', '11.0.0.0', '2606:4700:4700::1111', '::ffff:8.8.8.8', '64:ff9b::808:808', 'fbff::1', 'fe7f::1']) {
      expect(nonPublicRangeOf(address), address).toBeUndefined();
    }
  });

  it('fails closed on anything that is not an IP address', () => {
    expect(nonPublicRangeOf('localhost')).toBe('not an IP address');
    expect(nonPublicRangeOf('')).toBe('not an IP address');
  });

  it('sees through the IPv4 spellings the URL parser normalises', () => {
    expect(nonPublicRangeOf(hostnameOf('http://2130706433/'))).toContain('loopback');
    expect(nonPublicRangeOf(hostnameOf('http://0xa9.0xfe.0xa9.0xfe/'))).toContain('metadata');
    expect(nonPublicRangeOf(hostnameOf('http://[::ffff:169.254.169.254]/'))).toContain('metadata');
  });
});
