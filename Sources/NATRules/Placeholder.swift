import CNFTables
// NATRules: placeholder until its first file lands.
enum NATRulesModule {}
