// Placeholder until the telemetry module lands.
