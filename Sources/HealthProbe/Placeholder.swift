// HealthProbe: placeholder until its first file lands.
enum HealthProbeModule {}
