// Election: placeholder until its first file lands.
enum ElectionModule {}
