// EtcdClient: placeholder until its first file lands.
enum EtcdClientModule {}
