#!/usr/bin/env python3
"""Prints the dominant frequency (Hz, an integer) of a 16-bit PCM WAV file (any rate, mono or stereo).

Usage: tone_hz.py FILE [START_S [LEN_S]] [--min-hz HZ] [--max-hz HZ] [--silence-dbfs DB] [--verbose]

START_S (default 0) and LEN_S (default: to the end) pick the part of the file to measure. Channels are mixed
to mono; the spectrum is the average of up to 6 Hann-windowed FFT frames spread over that part, and the peak
between --min-hz (20) and --max-hz (4000) is refined by parabolic interpolation (about 1 Hz at 48 kHz).
Standard library only: the FFT is written here.

Exit status: 0 and the frequency on stdout; 1 for a bad argument or a file that is not a 16-bit PCM WAV;
2 when the part measured is silent (RMS below --silence-dbfs, default -50 dBFS); 3 when it is too short
(under 0.1 s). Every failure says why on stderr. --verbose adds the rate, length, level and peak to stderr.

A WAV still being written (its RIFF or data size still 0) is read up to the end of the file.
"""

import argparse
import array
import cmath
import math
import struct
import sys

MIN_SECONDS = 0.1
MAX_FRAMES = 6


class WavError(Exception):
    pass


def read_wav(path):
    """Returns (rate, channels, samples: list of mono floats in -1..1)."""
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError as e:
        raise WavError(f"cannot read {path}: {e.strerror}")
    if len(data) < 12 or data[0:4] != b"RIFF" or data[8:12] != b"WAVE":
        raise WavError(f"{path} is not a RIFF/WAVE file")
    pos, fmt, pcm = 12, None, None
    while pos + 8 <= len(data):
        cid, size = data[pos:pos + 4], struct.unpack_from("<I", data, pos + 4)[0]
        body = pos + 8
        if cid == b"fmt ":
            fmt = data[body:body + size]
        elif cid == b"data":
            # 0 (or a size past the end) while the writer has not closed the file yet: read to the end.
            end = len(data) if size == 0 or body + size > len(data) else body + size
            pcm = data[body:end]
            break
        pos = body + size + (size & 1)
    if fmt is None or len(fmt) < 16:
        raise WavError(f"{path}: no fmt chunk")
    tag, channels, rate, _, _, bits = struct.unpack_from("<HHIIHH", fmt, 0)
    if tag == 0xFFFE and len(fmt) >= 26:  # WAVE_FORMAT_EXTENSIBLE: the sub-format's first two bytes
        tag = struct.unpack_from("<H", fmt, 24)[0]
    if tag != 1 or bits != 16:
        raise WavError(f"{path}: format tag {tag}, {bits} bits: only 16-bit PCM is measured")
    if channels < 1 or rate < 1:
        raise WavError(f"{path}: {channels} channels at {rate} Hz")
    if pcm is None:
        raise WavError(f"{path}: no data chunk")
    frames = len(pcm) // (2 * channels)
    values = array.array("h")
    values.frombytes(pcm[:frames * channels * 2])
    if sys.byteorder != "little":
        values.byteswap()
    if channels == 1:
        mono = [v / 32768.0 for v in values]
    else:
        scale = 1.0 / (32768.0 * channels)
        columns = [values[c::channels] for c in range(channels)]
        mono = [sum(frame) * scale for frame in zip(*columns)]
    return rate, channels, mono


_twiddles = {}


def fft(x):
    """In-place iterative radix-2 FFT of a list of complex numbers whose length is a power of two."""
    n = len(x)
    j = 0
    for i in range(1, n):
        bit = n >> 1
        while j & bit:
            j ^= bit
            bit >>= 1
        j |= bit
        if i < j:
            x[i], x[j] = x[j], x[i]
    size = 2
    while size <= n:
        half = size // 2
        if size not in _twiddles:
            _twiddles[size] = [cmath.exp(-2j * math.pi * k / size) for k in range(half)]
        twiddles = _twiddles[size]
        for start in range(0, n, size):
            for k in range(half):
                a = x[start + k]
                b = x[start + k + half] * twiddles[k]
                x[start + k] = a + b
                x[start + k + half] = a - b
        size *= 2
    return x


def dominant(samples, rate, min_hz, max_hz):
    """Returns (frequency in Hz, share of the band's power in the peak's five bins)."""
    n = 1
    while n < rate / 6:  # about 6 Hz bins before interpolation: 8192 at 48 kHz, 2048 at 8 kHz
        n *= 2
    window = [0.5 - 0.5 * math.cos(2 * math.pi * i / n) for i in range(n)]
    count = len(samples)
    if count <= n:
        starts = [0]
    else:
        frames = min(MAX_FRAMES, 1 + (count - n) // (n // 2))
        starts = [round(k * (count - n) / max(1, frames - 1)) for k in range(frames)]
    power = [0.0] * (n // 2)
    for start in starts:
        chunk = samples[start:start + n]
        mean = sum(chunk) / len(chunk)
        frame = [complex((v - mean) * w) for v, w in zip(chunk, window)] + [0j] * (n - len(chunk))
        spectrum = fft(frame)
        for k in range(n // 2):
            power[k] += abs(spectrum[k]) ** 2
    lo = max(1, math.ceil(min_hz * n / rate))
    hi = min(n // 2 - 2, math.floor(max_hz * n / rate))
    if hi <= lo:
        raise WavError(f"no FFT bins between {min_hz} and {max_hz} Hz at {rate} Hz")
    peak = max(range(lo, hi + 1), key=lambda k: power[k])
    # Parabolic interpolation on the log power of the peak and its neighbours.
    a, b, c = (math.log(power[k] + 1e-30) for k in (peak - 1, peak, peak + 1))
    denom = a - 2 * b + c
    offset = 0.5 * (a - c) / denom if denom != 0 else 0.0
    band = sum(power[lo:hi + 1]) or 1e-30
    share = sum(power[max(lo, peak - 2):peak + 3]) / band
    return (peak + offset) * rate / n, share


def main():
    parser = argparse.ArgumentParser(description="Dominant frequency of a 16-bit PCM WAV file.")
    parser.add_argument("file")
    parser.add_argument("start_s", nargs="?", type=float, default=0.0)
    parser.add_argument("len_s", nargs="?", type=float, default=None)
    parser.add_argument("--min-hz", type=float, default=20.0)
    parser.add_argument("--max-hz", type=float, default=4000.0)
    parser.add_argument("--silence-dbfs", type=float, default=-50.0)
    parser.add_argument("--verbose", "-v", action="store_true")
    args = parser.parse_args()
    name = args.file
    try:
        rate, channels, samples = read_wav(name)
    except WavError as e:
        print(f"tone_hz: {e}", file=sys.stderr)
        return 1
    total = len(samples) / rate
    if args.start_s < 0 or (args.len_s is not None and args.len_s <= 0):
        print("tone_hz: START_S must be >= 0 and LEN_S > 0", file=sys.stderr)
        return 1
    first = int(args.start_s * rate)
    last = len(samples) if args.len_s is None else min(len(samples), first + int(args.len_s * rate))
    part = samples[first:last]
    what = f"{name} ({rate} Hz, {channels} ch, {total:.2f} s; measured {len(part) / rate:.2f} s from {args.start_s:g} s)"
    if len(part) < MIN_SECONDS * rate:
        print(f"tone_hz: too short: {what}; need at least {MIN_SECONDS} s", file=sys.stderr)
        return 3
    rms = math.sqrt(sum(v * v for v in part) / len(part))
    dbfs = 20 * math.log10(rms) if rms > 0 else -math.inf
    if dbfs < args.silence_dbfs:
        print(f"tone_hz: silent: {what}: RMS {dbfs:.1f} dBFS, below {args.silence_dbfs:g} dBFS", file=sys.stderr)
        return 2
    try:
        hz, share = dominant(part, rate, args.min_hz, args.max_hz)
    except WavError as e:
        print(f"tone_hz: {e}", file=sys.stderr)
        return 1
    if args.verbose:
        print(f"tone_hz: {what}: RMS {dbfs:.1f} dBFS, peak {hz:.1f} Hz holding {100 * share:.0f}% of the power "
              f"in {args.min_hz:g}-{args.max_hz:g} Hz", file=sys.stderr)
    print(round(hz))
    return 0


if __name__ == "__main__":
    sys.exit(main())
