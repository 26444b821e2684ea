"""Models a probe calls, behind one interface (`base.ModelProvider`):

    local/<name>    local.LocalModel: deterministic answers, latency and failures on demand
    openai/<model>  openai.OpenAiCompatible: any OpenAI-compatible chat completions API by URL

`catalog.ModelCatalog` finds a model id's provider (and says why not, for startRun).
"""
