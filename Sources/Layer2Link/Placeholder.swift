// Layer2Link: placeholder until its first file lands.
enum Layer2LinkModule {}
