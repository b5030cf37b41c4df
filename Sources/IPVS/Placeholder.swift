// IPVS: placeholder until its first file lands.
enum IPVSModule {}
