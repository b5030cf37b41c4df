import CNLGenl
// IPVSNetlink: placeholder until its first file lands.
enum IPVSNetlinkModule {}
