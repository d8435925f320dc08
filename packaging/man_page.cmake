# Makes nnsweep.1 with help2man: the synopsis and description from `nnsweep --help`, a COMMANDS
# section from each command's --help, and the sections of nnsweep.h2m.
#   cmake -DHELP2MAN=... -DNNSWEEP=path/to/nnsweep -DVERSION=0.1.0 -DINCLUDE=nnsweep.h2m
#         -DOUTPUT=nnsweep.1 -P man_page.cmake
set(commands_h2m ${OUTPUT}.commands.h2m)
set(text "[COMMANDS]\n")
foreach(command run plan report merge datasets predict)
  execute_process(COMMAND ${NNSWEEP} ${command} --help OUTPUT_VARIABLE help RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "nnsweep ${command} --help failed (${rc})")
  endif()
  # roff: a backslash is written \e, and a line may not start with a dot or a quote.
  string(REPLACE "\\" "\\e" help "${help}")
  string(REGEX REPLACE "(^|\n)([.'])" "\\1\\\\&\\2" help "${help}")
  string(APPEND text ".TP\n.B nnsweep ${command}\n.nf\n${help}.fi\n")
endforeach()
file(WRITE ${commands_h2m} "${text}")
execute_process(
  COMMAND ${HELP2MAN} --no-info --section=1 --output=${OUTPUT} --version-string=${VERSION}
          "--name=hyperparameter sweeps of small neural networks"
          --include=${commands_h2m} --include=${INCLUDE} ${NNSWEEP}
  RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "help2man failed (${rc})")
endif()
