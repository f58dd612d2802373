/**
 * The `api-version` an `azure-openai` provider sends when `apiVersion` is not configured: the
 * newest generally available (non-preview) version of the Azure OpenAI data-plane inference API
 * that serves `/openai/deployments/{deployment}/chat/completions`, per the "Latest GA release"
 * column of https://learn.microsoft.com/azure/ai-services/openai/reference. (Azure's newer "v1"
 * API drops `api-version` and the deployment path altogether; it is a different URL scheme.)
 */
export const DEFAULT_AZURE_OPENAI_API_VERSION = "2024-10-21";
