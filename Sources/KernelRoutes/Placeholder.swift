import CNLRoute
