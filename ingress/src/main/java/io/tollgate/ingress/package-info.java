/** The gateway: Anthropic and OpenAI routes, identity, pricing, usage publishing (see the ingress issue). */
package io.tollgate.ingress;
