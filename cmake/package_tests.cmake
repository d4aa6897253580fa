# The man page and the bash completion of the cli component. Included from tests/CMakeLists.txt.
if(TARGET parapipe_man)
  add_test(NAME Package.ManPageHasEveryCommand
    COMMAND sh -c "for c in 'parapipe run wordcount' 'parapipe run image' 'parapipe bench' '\\-\\-hidden'; do
                     grep -q -- \"$c\" '${PROJECT_BINARY_DIR}/parapipe.1' || { echo \"missing: $c\"; exit 1; }; done")
endif()
add_test(NAME Package.BashCompletionCompletesCommandsPipelinesAndChoices
  COMMAND bash -c "source '${PROJECT_SOURCE_DIR}/cmake/completion/parapipe.bash'
    check() { COMP_CWORD=$(( \${#COMP_WORDS[@]} - 1 )); _parapipe; [ \"\${COMPREPLY[*]}\" = \"$1\" ] || { echo \"\${COMP_WORDS[*]}: got '\${COMPREPLY[*]}', want '$1'\"; exit 1; }; }
    COMP_WORDS=(parapipe r); check run
    COMP_WORDS=(parapipe run w); check wordcount
    COMP_WORDS=(parapipe run wordcount books --mode s); check 'seq shm'
    COMP_WORDS=(parapipe run wordcount --hid); check --hidden
    COMP_WORDS=(parapipe run image x --format w); check webp")
