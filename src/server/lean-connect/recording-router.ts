import type { DescMethod, DescService } from "@bufbuild/protobuf";
import {
  type ConnectRouter,
  createMethodImplSpec,
  createServiceImplSpec,
  type MethodImpl,
  type MethodImplSpec,
  type ServiceImpl,
} from "@connectrpc/connect";
import type { UniversalHandlerOptions } from "@connectrpc/connect/protocol";

/** An implementation registered on the router, with the options it was registered with. */
export interface RegisteredMethod {
  readonly spec: MethodImplSpec;
  /** Options of this service or RPC; they override the router's, as in connect-es. */
  readonly options: Partial<UniversalHandlerOptions> | undefined;
}

/**
 * Wraps connect-es's router so that every implementation registered on it is also kept, for the
 * lean path to call the same functions with the same options: `implementations` lists them in
 * registration order.
 */
export function recordingRouter(router: ConnectRouter): {
  readonly router: ConnectRouter;
  readonly implementations: RegisteredMethod[];
} {
  const implementations: RegisteredMethod[] = [];
  const recording: ConnectRouter = {
    get handlers() {
      return router.handlers;
    },
    service<T extends DescService>(
      service: T,
      impl: Partial<ServiceImpl<T>>,
      options?: Partial<UniversalHandlerOptions>,
    ) {
      router.service(service, impl, options);
      for (const spec of Object.values(createServiceImplSpec(service, impl).methods)) {
        implementations.push({ spec, options });
      }
      return recording;
    },
    rpc<M extends DescMethod>(
      method: M,
      impl: MethodImpl<M>,
      options?: Partial<UniversalHandlerOptions>,
    ) {
      router.rpc(method, impl, options);
      implementations.push({ spec: createMethodImplSpec(method, impl), options });
      return recording;
    },
  };
  return { router: recording, implementations };
}
