import BGPCodec
