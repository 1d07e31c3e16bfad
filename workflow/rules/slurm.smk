# Before the first job goes to SLURM: stop with what to change when the executor could not follow its
# jobs on this cluster and would wait forever (spiralbench.slurm explains why).
from snakemake.exceptions import WorkflowError

from spiralbench import slurm as spiral_slurm


onstart:
    if workflow.executor_plugin.name == "slurm":
        cluster_problem = spiral_slurm.check_executor(workflow.executor_settings)
        if cluster_problem:
            raise WorkflowError(cluster_problem)
