import { create } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import type { ServiceImpl } from "@connectrpc/connect";
import {
  ListModelsResponseSchema,
  ModelSchema,
  type ModelService,
  ModelState,
} from "../../gen/switchboard/v1/model_service_pb.js";
import type { Engine } from "../engine/create-engine.js";
import type { ModelStatusState } from "../engine/model-catalog.js";

const states: Readonly<Record<ModelStatusState, ModelState>> = {
  ready: ModelState.READY,
  cooling_down: ModelState.COOLING_DOWN,
  rate_limited: ModelState.RATE_LIMITED,
  disabled: ModelState.DISABLED,
};

/** `switchboard.v1.ModelService`: the configured models and their state. */
export function createModelService(engine: Engine): ServiceImpl<typeof ModelService> {
  return {
    async listModels() {
      const models = await engine.listModels();
      return create(ListModelsResponseSchema, {
        models: models.map((model) =>
          create(ModelSchema, {
            id: model.id,
            provider: model.provider,
            name: model.name,
            state: states[model.state],
            availableTime:
              model.availableAtMs === undefined ? undefined : timestampFromMs(model.availableAtMs),
            lastError: model.lastError,
            limits: {
              maxTokens: model.limits.maxTokens ?? 0,
              rate: model.limits.rate
                ? {
                    max: model.limits.rate.max,
                    timeWindowMs: BigInt(model.limits.rate.timeWindowMs),
                  }
                : undefined,
            },
          }),
        ),
      });
    },
  };
}
