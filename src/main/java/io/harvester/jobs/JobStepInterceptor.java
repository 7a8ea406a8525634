package io.harvester.jobs;

import io.harvester.runs.RunHandle;
import org.apache.camel.AsyncCallback;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.NamedNode;
import org.apache.camel.Processor;
import org.apache.camel.model.StepDefinition;
import org.apache.camel.spi.InterceptStrategy;
import org.apache.camel.support.processor.DelegateSyncProcessor;

/**
 * Puts every Camel {@code step} under its job run's control: the step runs only when the run plans it
 * (not when an earlier run completed it, nor in a single-step run of another step) and may go on, and
 * its row follows it. Steps of routes that are not jobs pass through untouched.
 */
public class JobStepInterceptor implements InterceptStrategy {

    @Override
    public Processor wrapProcessorInInterceptors(CamelContext context, NamedNode definition, Processor target,
                                                 Processor nextTarget) {
        if (!(definition instanceof StepDefinition step)) {
            return target;
        }
        String name = step.getId();
        // a job's steps run one after the other in the trigger's thread: synchronous on purpose
        return new DelegateSyncProcessor(target) {
            @Override
            public boolean process(Exchange exchange, AsyncCallback callback) {
                try {
                    process(exchange);
                } catch (Exception e) {
                    exchange.setException(e);
                } finally {
                    callback.done(true);
                }
                return true;
            }

            @Override
            public void process(Exchange exchange) throws Exception {
                if (exchange.getProperty(RunHandle.PROPERTY) instanceof JobRun run && run.isJobStep(name)) {
                    run.step(name, processor, exchange);
                } else {
                    processor.process(exchange);
                }
            }

            @Override
            public String toString() {
                return "JobStep[" + name + "]";
            }
        };
    }
}
