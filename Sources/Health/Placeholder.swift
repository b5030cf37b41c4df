// Health: placeholder until its first file lands.
enum HealthModule {}
