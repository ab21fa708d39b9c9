#!/usr/bin/env python3
"""Cuts the SIP messages out of a packet capture, byte for byte, and names the interesting ones.

Pure Python (no tshark dissection, which rewrites nothing but also gives no exact bytes): reads pcapng or
pcap, Ethernet / Linux cooked / raw IPv4, takes UDP payloads as one message each (RFC 3261 §18.3 datagram
framing), and reassembles each TCP direction in sequence order before cutting messages at CRLFCRLF +
Content-Length (§18.3 stream framing; CRLF keep-alives between messages are dropped).

  extract_sip.py CAPTURE --peers PEERS --rules RULES --out-sip DIR --out-sdp DIR [--dump DIR] [--manifest FILE]

PEERS: lines "PORT LABEL" naming who owns a local port; "other LABEL" names every unlisted port (default
"other"), such as a TCP client's ephemeral port.
RULES: one file to write per line, tab separated (see selection.tsv for the columns).
"""
import argparse
import re
import struct
import sys
from pathlib import Path

SIP_START = re.compile(rb"^(SIP/2\.0 \d{3} |[A-Z]+ \S+ SIP/2\.0\r\n)")


def read_packets(path):
    """Yields (timestamp_ns_or_index, linktype, frame bytes) from pcapng or pcap."""
    data = Path(path).read_bytes()
    if len(data) < 24:
        return
    magic = data[:4]
    if magic == b"\x0a\x0d\x0d\x0a":
        yield from read_pcapng(data)
    elif magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        yield from read_pcap(data, "<")
    elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        yield from read_pcap(data, ">")
    else:
        raise SystemExit(f"{path}: not a pcap or pcapng file")


def read_pcap(data, endian):
    linktype = struct.unpack(endian + "I", data[20:24])[0]
    off = 24
    index = 0
    while off + 16 <= len(data):
        _, _, incl, _ = struct.unpack(endian + "IIII", data[off:off + 16])
        off += 16
        yield index, linktype, data[off:off + incl]
        off += incl
        index += 1


def read_pcapng(data):
    off = 0
    endian = "<"
    linktypes = []
    index = 0
    while off + 12 <= len(data):
        btype = struct.unpack(endian + "I", data[off:off + 4])[0]
        if btype == 0x0A0D0D0A:  # Section Header Block: its byte-order magic decides the endianness
            bom = data[off + 8:off + 12]
            endian = "<" if bom == b"\x4d\x3c\x2b\x1a" else ">"
            linktypes = []
        blen = struct.unpack(endian + "I", data[off + 4:off + 8])[0]
        if blen < 12 or off + blen > len(data):
            break
        body = data[off + 8:off + blen - 4]
        if btype == 1:  # Interface Description Block
            linktypes.append(struct.unpack(endian + "H", body[:2])[0])
        elif btype == 6:  # Enhanced Packet Block
            iface, _, _, caplen, _ = struct.unpack(endian + "IIIII", body[:20])
            yield index, linktypes[iface], body[20:20 + caplen]
            index += 1
        elif btype == 3:  # Simple Packet Block
            caplen = struct.unpack(endian + "I", body[:4])[0]
            yield index, linktypes[0], body[4:4 + caplen]
            index += 1
        off += blen


def ipv4_of(linktype, frame):
    """The IPv4 packet inside a link-layer frame, or None."""
    if linktype == 1:  # Ethernet (Linux lo captures as Ethernet with zero MACs)
        off = 12
        ethertype = struct.unpack("!H", frame[off:off + 2])[0]
        off += 2
        while ethertype in (0x8100, 0x88A8):
            ethertype = struct.unpack("!H", frame[off + 2:off + 4])[0]
            off += 4
        return frame[off:] if ethertype == 0x0800 else None
    if linktype == 113:  # Linux cooked v1
        return frame[16:] if struct.unpack("!H", frame[14:16])[0] == 0x0800 else None
    if linktype == 276:  # Linux cooked v2
        return frame[20:] if struct.unpack("!H", frame[0:2])[0] == 0x0800 else None
    if linktype in (101, 228):  # raw IP / raw IPv4
        return frame if frame and frame[0] >> 4 == 4 else None
    if linktype == 0:  # BSD loopback
        return frame[4:] if struct.unpack("=I", frame[:4])[0] == 2 else None
    return None


def split_stream(buf):
    """Cuts complete messages out of a reassembled TCP byte stream (RFC 3261 §18.3)."""
    out = []
    pos = 0
    while pos < len(buf):
        while buf.startswith(b"\r\n", pos):  # keep-alives (RFC 5626 §3.5.1)
            pos += 2
        end = buf.find(b"\r\n\r\n", pos)
        if end < 0:
            break
        head = buf[pos:end + 4]
        m = re.search(rb"\r\n(?:content-length|l)[ \t]*:[ \t]*(\d+)", head, re.IGNORECASE)
        length = int(m.group(1)) if m else 0
        if end + 4 + length > len(buf):
            break
        out.append(buf[pos:end + 4 + length])
        pos = end + 4 + length
    return out


def extract(path):
    """All SIP messages in capture order: dicts with transport, src/dst (ip, port), bytes."""
    messages = []
    streams = {}  # (src, sport, dst, dport) -> {"next": seq, "buf": bytearray, "first": index}
    order = []
    for index, linktype, frame in read_packets(path):
        ip = ipv4_of(linktype, frame)
        if ip is None or len(ip) < 20:
            continue
        ihl = (ip[0] & 0x0F) * 4
        total = struct.unpack("!H", ip[2:4])[0]
        proto = ip[9]
        src = ".".join(str(b) for b in ip[12:16])
        dst = ".".join(str(b) for b in ip[16:20])
        payload = ip[ihl:total]
        if proto == 17 and len(payload) >= 8:
            sport, dport = struct.unpack("!HH", payload[:4])
            udp = payload[8:]
            if SIP_START.match(udp):
                messages.append({"order": index, "transport": "udp", "src": (src, sport),
                                 "dst": (dst, dport), "bytes": bytes(udp)})
        elif proto == 6 and len(payload) >= 20:
            sport, dport, seq = struct.unpack("!HHI", payload[:8])
            offset = (payload[12] >> 4) * 4
            flags = payload[13]
            key = (src, sport, dst, dport)
            data = payload[offset:]
            if flags & 0x02:  # SYN: the stream starts at seq + 1
                streams[key] = {"next": (seq + 1) & 0xFFFFFFFF, "buf": bytearray(), "first": index,
                                "done": 0}
                continue
            st = streams.get(key)
            if st is None:
                st = streams[key] = {"next": seq, "buf": bytearray(), "first": index, "done": 0}
            if not data:
                continue
            delta = (seq - st["next"]) & 0xFFFFFFFF
            if delta == 0:
                st["buf"] += data
                st["next"] = (seq + len(data)) & 0xFFFFFFFF
            elif delta > 0x7FFFFFFF:  # retransmission overlapping what we have: keep only new bytes
                overlap = (st["next"] - seq) & 0xFFFFFFFF
                if overlap < len(data):
                    st["buf"] += data[overlap:]
                    st["next"] = (seq + len(data)) & 0xFFFFFFFF
            else:
                print(f"warning: gap in TCP stream {key} at frame {index}", file=sys.stderr)
                continue
            cut = split_stream(bytes(st["buf"][st["done"]:]))
            for msg in cut:
                messages.append({"order": index, "transport": "tcp", "src": (src, sport),
                                 "dst": (dst, dport), "bytes": msg})
                st["done"] += len(msg)
    messages.sort(key=lambda m: m["order"])
    return messages


def start_line(msg):
    return msg["bytes"].split(b"\r\n", 1)[0].decode("latin-1")


def cseq_method(msg):
    m = re.search(rb"\r\nCSeq[ \t]*:[ \t]*\d+[ \t]+(\S+)", msg["bytes"], re.IGNORECASE)
    return m.group(1).decode("latin-1") if m else ""


def body_of(msg):
    raw = msg["bytes"]
    end = raw.find(b"\r\n\r\n")
    return raw[end + 4:] if end >= 0 else b""


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("capture")
    ap.add_argument("--peers", required=True)
    ap.add_argument("--rules", required=True)
    ap.add_argument("--out-sip", required=True)
    ap.add_argument("--out-sdp", required=True)
    ap.add_argument("--dump", help="also write every message here, numbered, with an index")
    ap.add_argument("--manifest", help="write a Markdown table of the files written here")
    args = ap.parse_args()

    peers = {}
    other = "other"
    for line in Path(args.peers).read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            port, label = line.split()
            if port == "other":
                other = label
            else:
                peers[int(port)] = label

    def who(addr):
        return peers.get(addr[1], other)

    messages = extract(args.capture)
    for m in messages:
        m["from"] = who(m["src"])
        m["to"] = who(m["dst"])
        m["start"] = start_line(m)
        m["cseq"] = cseq_method(m)

    if args.dump:
        dump = Path(args.dump)
        dump.mkdir(parents=True, exist_ok=True)
        with open(dump / "index.txt", "w") as idx:
            for n, m in enumerate(messages):
                name = f"{n:03d}.sip"
                (dump / name).write_bytes(m["bytes"])
                idx.write(f"{name} {m['transport']} {m['from']}:{m['src'][1]} -> {m['to']}:{m['dst'][1]} "
                          f"[{m['cseq']}] {m['start']}\n")

    out_sip = Path(args.out_sip)
    out_sdp = Path(args.out_sdp)
    chosen = {}
    missing = []
    written = 0
    for lineno, line in enumerate(Path(args.rules).read_text().splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        cols = line.split("\t")
        cols = [c for c in cols if c != ""]
        if cols[0] == "sdp":  # sdp <file.sdp> <message file it is the body of>
            _, name, source = cols
            if source not in chosen:
                missing.append(name)
                continue
            body = body_of(chosen[source])
            if not body:
                print(f"rules:{lineno}: {source} has no body", file=sys.stderr)
                missing.append(name)
                continue
            (out_sdp / name).write_bytes(body)
            written += 1
            continue
        # name transport from to start-line-regex cseq-method [must-contain-regex|-] [must-not-contain-regex|-]
        name, transport, src, dst, start_re, method = cols[:6]
        must = cols[6] if len(cols) > 6 and cols[6] != "-" else None
        must_not = cols[7] if len(cols) > 7 and cols[7] != "-" else None
        optional = name.startswith("?")
        name = name.lstrip("?")
        for m in messages:
            if transport != "*" and m["transport"] != transport:
                continue
            if src != "*" and m["from"] != src:
                continue
            if dst != "*" and m["to"] != dst:
                continue
            if not re.search(start_re, m["start"]):
                continue
            if method != "*" and m["cseq"] != method:
                continue
            if must and not re.search(must.encode(), m["bytes"], re.IGNORECASE | re.MULTILINE):
                continue
            if must_not and re.search(must_not.encode(), m["bytes"], re.IGNORECASE | re.MULTILINE):
                continue
            chosen[name] = m
            (out_sip / name).write_bytes(m["bytes"])
            written += 1
            break
        else:
            if not optional:
                missing.append(name)
            print(f"{'optional' if optional else 'MISSING'}: {name}", file=sys.stderr)

    if args.manifest:
        with open(args.manifest, "w") as man:
            man.write("| file | transport | from -> to | start line |\n|---|---|---|---|\n")
            for name, m in sorted(chosen.items()):
                man.write(f"| `{name}` | {m['transport'].upper()} | {m['from']}:{m['src'][1]} -> "
                          f"{m['to']}:{m['dst'][1]} | `{m['start']}` |\n")
    print(f"extract_sip: {len(messages)} SIP messages in the capture, {written} files written")
    if missing:
        print("extract_sip: not found: " + " ".join(missing), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
