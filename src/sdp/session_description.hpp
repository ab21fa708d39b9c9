// The SDP model (RFC 8866 §5): a session-level part and zero or more media descriptions.
//
//   v=0                                   session level: v o s [i] [u] *e *p [c] *b 1*(t *r [z]) [k] *a
//   o=- 4611731400430051336 2 IN IP4 127.0.0.1
//   s=-
//   t=0 0
//   a=group:BUNDLE 0 1
//   m=audio 9 UDP/TLS/RTP/SAVPF 111 0     media level: m [i] *c *b [k] *a
//   c=IN IP4 0.0.0.0
//   a=rtpmap:111 opus/48000/2
//
// Every field is kept as parsed, and attributes stay in order with unknown ones verbatim, so that
// parse(write(d)) == d. The model owns its strings: SDP is not on the per-packet path, and the gateway builds
// and edits descriptions in code. Typed views of the attributes are in attributes.hpp and media_view.hpp.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace callgate::sdp {

// a=<name>[:<value>] (RFC 8866 §5.13). A property attribute ("a=rtcp-mux") has no value; "a=x:" has an empty
// one. The two stay distinct so that the round trip is exact.
struct Attribute {
  std::string name;
  std::optional<std::string> value;

  bool operator==(const Attribute&) const = default;
};

// o=<username> <sess-id> <sess-version> <nettype> <addrtype> <unicast-address> (RFC 8866 §5.2). The ids are
// kept as the digits written: they may exceed 64 bits and leading zeros must survive the round trip.
struct Origin {
  std::string username = "-";
  std::string sessionId = "0";
  std::string sessionVersion = "0";
  std::string netType = "IN";
  std::string addrType = "IP4";
  std::string address = "0.0.0.0";

  bool operator==(const Origin&) const = default;
};

// c=<nettype> <addrtype> <connection-address> (RFC 8866 §5.7). For IP4 the address may carry "/ttl" and
// then "/count"; for IP6 only "/count". Other address types keep the address as written.
struct Connection {
  std::string netType = "IN";
  std::string addrType = "IP4";
  std::string address;
  std::optional<uint32_t> ttl;
  std::optional<uint32_t> addressCount;

  bool operator==(const Connection&) const = default;
};

// b=<bwtype>:<bandwidth> (RFC 8866 §5.8), kilobits per second for CT and AS.
struct Bandwidth {
  std::string type;
  uint64_t value = 0;

  bool operator==(const Bandwidth&) const = default;
};

// r=<repeat interval> <active duration> <offsets from start-time> (RFC 8866 §5.10). Each value is a typed
// time ("7d", "3600"), kept as written.
struct RepeatTime {
  std::string interval;
  std::string duration;
  std::vector<std::string> offsets;

  bool operator==(const RepeatTime&) const = default;
};

// One pair of z=<adjustment time> <offset> (RFC 8866 §5.11); the offset is a typed time with an optional '-'.
struct TimeZoneAdjustment {
  uint64_t time = 0;
  std::string offset;

  bool operator==(const TimeZoneAdjustment&) const = default;
};

// A time description: t=<start-time> <stop-time>, its r= lines and its z= line (RFC 8866 §5.9-§5.11, §9).
struct Timing {
  uint64_t start = 0;
  uint64_t stop = 0;
  std::vector<RepeatTime> repeats;
  std::vector<TimeZoneAdjustment> zoneAdjustments;  // empty when there is no z= line

  bool operator==(const Timing&) const = default;
};

// m=<media> <port>[/<number of ports>] <proto> <fmt> ... and the lines that follow it (RFC 8866 §5.14).
struct MediaDescription {
  std::string media;  // "audio", "video", "application", ...
  uint16_t port = 0;
  std::optional<uint32_t> portCount;
  std::string proto;                 // "RTP/AVP", "UDP/TLS/RTP/SAVPF", ...
  std::vector<std::string> formats;  // RTP payload types as decimal text for the RTP profiles
  std::optional<std::string> title;  // i=
  std::vector<Connection> connections;
  std::vector<Bandwidth> bandwidths;
  std::optional<std::string> key;  // k= (obsolete, RFC 8866 §5.12), kept verbatim
  std::vector<Attribute> attributes;

  bool operator==(const MediaDescription&) const = default;
};

struct SessionDescription {
  // v= is always 0 (RFC 8866 §5.1), so it has no field.
  Origin origin;
  std::string sessionName = "-";           // s=; "-" or " " when there is no name (RFC 8866 §5.3)
  std::optional<std::string> information;  // i=
  std::optional<std::string> uri;          // u=
  std::vector<std::string> emails;         // e=
  std::vector<std::string> phones;         // p=
  std::optional<Connection> connection;
  std::vector<Bandwidth> bandwidths;
  std::vector<Timing> timings{Timing{}};  // at least one (RFC 8866 §5.9); "t=0 0" is a permanent session
  std::optional<std::string> key;
  std::vector<Attribute> attributes;
  std::vector<MediaDescription> media;

  bool operator==(const SessionDescription&) const = default;
};

// Attribute lookup. Names compare case-insensitively: peers differ in case and RFC 8866 §5.13 gives no
// reason to tell "a=RTCP-MUX" from "a=rtcp-mux". The pointer is a view into `attributes` (null when absent).
const Attribute* findAttribute(const std::vector<Attribute>& attributes, std::string_view name);
bool hasAttribute(const std::vector<Attribute>& attributes, std::string_view name);
// The value of the first attribute with `name` ("" for a property attribute), nullopt when absent.
std::optional<std::string_view> attributeValue(const std::vector<Attribute>& attributes,
                                               std::string_view name);
size_t countAttributes(const std::vector<Attribute>& attributes, std::string_view name);

// Removes every attribute named `name`; returns how many were removed. For editing an offer in code.
size_t removeAttributes(std::vector<Attribute>& attributes, std::string_view name);

}  // namespace callgate::sdp
