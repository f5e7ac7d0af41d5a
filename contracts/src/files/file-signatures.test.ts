import { describe, expect, it } from 'vitest';
import { sniffAudio, sniffImage } from './file-signatures.js';

const bytes = (...parts: (string | number[])[]) =>
  new Uint8Array(parts.flatMap((part) => (typeof part === 'string' ? [...part].map((c) => c.charCodeAt(0)) : part)));

describe('sniffAudio', () => {
  it.each([
    ['MP3 with an ID3 tag', bytes('ID3', [4, 0, 0, 0]), 'audio/mpeg', 'mp3'],
    ['MP3 frame (MPEG-1 Layer III)', bytes([0xff, 0xfb, 0x90, 0x64]), 'audio/mpeg', 'mp3'],
    ['MP3 frame (MPEG-2 Layer III)', bytes([0xff, 0xf3, 0x90, 0x64]), 'audio/mpeg', 'mp3'],
    ['AAC in ADTS (MPEG-4)', bytes([0xff, 0xf1, 0x50, 0x80]), 'audio/aac', 'aac'],
    ['AAC in ADTS (MPEG-2)', bytes([0xff, 0xf9, 0x50, 0x80]), 'audio/aac', 'aac'],
    ['OGG/Opus', bytes('OggS', [0, 2]), 'audio/ogg', 'ogg'],
    ['WAV', bytes('RIFF', [36, 0, 0, 0], 'WAVEfmt '), 'audio/wav', 'wav'],
    ['FLAC', bytes('fLaC', [0, 0, 0, 34]), 'audio/flac', 'flac'],
    ['M4A', bytes([0, 0, 0, 32], 'ftypM4A ', [0, 0, 0, 0]), 'audio/mp4', 'm4a'],
    ['WebM', bytes([0x1a, 0x45, 0xdf, 0xa3, 0x9f]), 'audio/webm', 'webm'],
  ])('recognises %s', (_name, input, mediaType, extension) => {
    expect(sniffAudio(input)).toEqual({ mediaType, extension });
  });

  it.each([
    ['text', bytes('just some text')],
    ['a JPEG', bytes([0xff, 0xd8, 0xff, 0xe0])],
    ['a WebP picture', bytes('RIFF', [36, 0, 0, 0], 'WEBPVP8 ')],
    ['a frame with the reserved MPEG version', bytes([0xff, 0xeb, 0x90, 0x64])],
    // Regression: the mocks took 11 sync bits with layer 00 for AAC; ADTS has 12.
    ['11 sync bits and layer 00 (no ADTS)', bytes([0xff, 0xe1, 0x50, 0x80])],
    ['too few bytes', bytes('ID')],
    ['nothing', new Uint8Array()],
  ])('refuses %s', (_name, input) => {
    expect(sniffAudio(input)).toBeUndefined();
  });
});

describe('sniffImage', () => {
  it.each([
    ['JPEG', bytes([0xff, 0xd8, 0xff, 0xe0]), 'image/jpeg', 'jpg'],
    ['PNG', bytes([0x89], 'PNG', [0x0d, 0x0a, 0x1a, 0x0a]), 'image/png', 'png'],
    ['GIF', bytes('GIF89a'), 'image/gif', 'gif'],
    ['WebP', bytes('RIFF', [36, 0, 0, 0], 'WEBPVP8 '), 'image/webp', 'webp'],
  ])('recognises %s', (_name, input, mediaType, extension) => {
    expect(sniffImage(input)).toEqual({ mediaType, extension });
  });

  it.each([
    ['an MP3', bytes('ID3', [4, 0, 0, 0])],
    ['a WAV', bytes('RIFF', [36, 0, 0, 0], 'WAVEfmt ')],
    ['a truncated PNG', bytes([0x89], 'PNG')],
    ['nothing', new Uint8Array()],
  ])('refuses %s', (_name, input) => {
    expect(sniffImage(input)).toBeUndefined();
  });
});
