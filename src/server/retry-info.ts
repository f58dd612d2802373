import { create } from "@bufbuild/protobuf";
import { type RetryInfo, RetryInfoSchema } from "../../gen/google/rpc/error_details_pb.js";

/** A `google.rpc.RetryInfo` error detail asking the client to wait `ms` milliseconds (rounded up). */
export function retryInfoDetail(ms: number): { desc: typeof RetryInfoSchema; value: RetryInfo } {
  const wholeMs = Math.ceil(ms);
  return {
    desc: RetryInfoSchema,
    value: create(RetryInfoSchema, {
      retryDelay: {
        seconds: BigInt(Math.floor(wholeMs / 1000)),
        nanos: (wholeMs % 1000) * 1_000_000,
      },
    }),
  };
}
