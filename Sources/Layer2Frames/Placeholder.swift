// Layer2Frames: placeholder until its first file lands.
enum Layer2FramesModule {}
