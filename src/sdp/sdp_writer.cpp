#include "sdp/sdp_writer.hpp"

namespace callgate::sdp {

namespace {

constexpr std::string_view kCrlf = "\r\n";

void line(std::string& out, char type, std::string_view value) {
  out += type;
  out += '=';
  out += value;
  out += kCrlf;
}

void appendConnection(std::string& out, const Connection& c) {
  out += c.netType;
  out += ' ';
  out += c.addrType;
  out += ' ';
  out += c.address;
  if (c.ttl) {
    out += '/';
    out += std::to_string(*c.ttl);
  }
  if (c.addressCount) {
    out += '/';
    out += std::to_string(*c.addressCount);
  }
}

void connectionLine(std::string& out, const Connection& c) {
  out += "c=";
  appendConnection(out, c);
  out += kCrlf;
}

void bandwidthLines(std::string& out, const std::vector<Bandwidth>& bandwidths) {
  for (const Bandwidth& b : bandwidths) {
    out += "b=";
    out += b.type;
    out += ':';
    out += std::to_string(b.value);
    out += kCrlf;
  }
}

void attributeLines(std::string& out, const std::vector<Attribute>& attributes) {
  for (const Attribute& a : attributes) {
    out += "a=";
    out += a.name;
    if (a.value) {
      out += ':';
      out += *a.value;
    }
    out += kCrlf;
  }
}

void timingLines(std::string& out, const Timing& timing) {
  out += "t=" + std::to_string(timing.start) + ' ' + std::to_string(timing.stop);
  out += kCrlf;
  for (const RepeatTime& r : timing.repeats) {
    out += "r=" + r.interval + ' ' + r.duration;
    for (const std::string& offset : r.offsets) {
      out += ' ';
      out += offset;
    }
    out += kCrlf;
  }
  if (!timing.zoneAdjustments.empty()) {
    out += "z=";
    bool first = true;
    for (const TimeZoneAdjustment& z : timing.zoneAdjustments) {
      if (!first) out += ' ';
      first = false;
      out += std::to_string(z.time);
      out += ' ';
      out += z.offset;
    }
    out += kCrlf;
  }
}

void mediaLines(std::string& out, const MediaDescription& m) {
  // m=<media> <port>[/<number of ports>] <proto> <fmt> ... (RFC 8866 §5.14), then i c b k a.
  out += "m=";
  out += m.media;
  out += ' ';
  out += std::to_string(m.port);
  if (m.portCount) {
    out += '/';
    out += std::to_string(*m.portCount);
  }
  out += ' ';
  out += m.proto;
  for (const std::string& format : m.formats) {
    out += ' ';
    out += format;
  }
  out += kCrlf;
  if (m.title) line(out, 'i', *m.title);
  for (const Connection& c : m.connections) connectionLine(out, c);
  bandwidthLines(out, m.bandwidths);
  if (m.key) line(out, 'k', *m.key);
  attributeLines(out, m.attributes);
}

}  // namespace

std::string writeConnection(const Connection& connection) {
  std::string out;
  appendConnection(out, connection);
  return out;
}

void appendSdp(std::string& out, const SessionDescription& d) {
  // RFC 8866 §5: v o s i u e p c b (t r z)+ k a, then the media descriptions.
  out += "v=0";
  out += kCrlf;
  const Origin& o = d.origin;
  out += "o=" + o.username + ' ' + o.sessionId + ' ' + o.sessionVersion + ' ' + o.netType + ' ' + o.addrType +
         ' ' + o.address;
  out += kCrlf;
  line(out, 's', d.sessionName);
  if (d.information) line(out, 'i', *d.information);
  if (d.uri) line(out, 'u', *d.uri);
  for (const std::string& email : d.emails) line(out, 'e', email);
  for (const std::string& phone : d.phones) line(out, 'p', phone);
  if (d.connection) connectionLine(out, *d.connection);
  bandwidthLines(out, d.bandwidths);
  if (d.timings.empty()) {
    line(out, 't', "0 0");  // RFC 8866 §5.9: at least one t= line; "0 0" is a permanent session
  }
  for (const Timing& timing : d.timings) timingLines(out, timing);
  if (d.key) line(out, 'k', *d.key);
  attributeLines(out, d.attributes);
  for (const MediaDescription& m : d.media) mediaLines(out, m);
}

std::string writeSdp(const SessionDescription& description) {
  std::string out;
  out.reserve(256 + 512 * description.media.size());
  appendSdp(out, description);
  return out;
}

}  // namespace callgate::sdp
